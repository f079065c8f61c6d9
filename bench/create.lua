-- wrk script: POSTs an incident of the seed's shape, each request with its own id_feedback.
local counter = 0
local threads = {}
-- thread_id is a global each thread's own Lua state receives from setup(); a
-- `local thread_id` here would shadow it, and both threads would send the same
-- id_feedback values (half the requests then being replays of the other's).

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local id = os.getenv("BENCH_RUN") .. "-" .. thread_id .. "-" .. counter
  local body = '{"id_feedback": "' .. id .. '", "customer_phone": "0945033434", "customer_name": "Nguyễn Tiến Lộc", '
    .. '"customer_address": "17 Nguyễn Văn Trỗi, P12, Q.Phú Nhuận", "branch_code": "GD", "id_type": 2, '
    .. '"id_process_unit": 97, "id_priority": 2, "content": "Bể ống trước nhà, nước chảy mạnh", '
    .. '"district_code": "768", "ward_code": "27073", "id_incident": "a:1:{i:0;N;}", "id_phenomena": "1", '
    .. '"latitude": "10.80931310653845", "longitude": "106.68796151876451"}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  }, body)
end
