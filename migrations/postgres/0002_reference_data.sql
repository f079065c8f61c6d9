-- The seed's reference data, with the seed's exact ids (they are part of the API contract).

INSERT INTO branches (code, name, url_host, sort_order) VALUES
    ('SG', 'Bến Thành', 'capnuocbenthanh', 1),
    ('CL', 'Chợ Lớn', 'capnuoccholon', 2),
    ('GD', 'Gia Định', 'capnuocgiadinh', 3),
    ('TD', 'Thủ Đức', 'capnuocthuduc', 4),
    ('PH', 'Phú Hoà Tân', 'capnuocphuhoatan', 5),
    ('NB', 'Nhà Bè', 'capnuocnhabe', 6),
    ('TH', 'Tân Hòa', 'capnuoctanhoa', 7),
    ('TA', 'Trung An', 'capnuoctrungan', 8),
    ('CG', 'Cần Giờ', 'capnuoccangio', 9),
    ('NT', 'Nông Thôn', 'capnuocnongthon', 10),
    ('TN', 'Trạm Nước Nông Thôn', '', 11),
    ('HM', 'Nước Ngầm Sài Gòn', 'nuocngamsaigon', 12);

INSERT INTO request_types (id, name_vi, name_en) VALUES
    (1, 'Yêu cầu thay đổi', 'Change request'),
    (2, 'Thông báo sự cố', 'Incident report'),
    (3, 'Yêu cầu kiểm tra', 'Check request'),
    (4, 'Yêu cầu khác', 'Other request'),
    (5, 'Yêu cầu gắn mới', 'New connection'),
    (6, 'Yêu cầu hỗ trợ', 'Support request'),
    (7, 'Điều chỉnh thông tin Hợp Đồng', 'Contract information change'),
    (8, 'Kiểm tra ĐHN', 'Meter check'),
    (9, 'Phản ánh khiếu nại', 'Complaint'),
    (10, 'Báo chỉ số nước', 'Meter reading'),
    (14, 'Đăng ký định mức nước', 'Water quota registration');

INSERT INTO departments (id, name_vi, name_en) VALUES
    (97, 'Callcenter', 'Call center'),
    (98, 'Ban Công Nghệ Thông Tin', 'Information technology'),
    (99, 'Ban Tổ Chức Hành Chính', 'Administration'),
    (100, 'Ban Kinh doanh', 'Business'),
    (102, 'Ban Kiểm Tra', 'Inspection'),
    (103, 'Ban Kỹ Thuật Công Nghệ', 'Technical'),
    (104, 'Đội Quản lý Ghi Thu', 'Meter reading & collection'),
    (105, 'Đội Quản Lý Mạng Lưới', 'Network management'),
    (106, 'Ban Kế Toán Tài Chính', 'Finance & accounting'),
    (107, 'Ban Quản Lý Dự Án', 'Project management'),
    (108, 'Ban Kế Hoạch Vật Tư', 'Planning & supplies'),
    (109, 'Ban Giám Đốc', 'Board of directors');

INSERT INTO priorities (id, name_vi, name_en) VALUES
    (1, 'Thấp', 'Low'),
    (2, 'Trung bình', 'Medium'),
    (3, 'Cao', 'High'),
    (4, 'Rất cao', 'Very high');

INSERT INTO ticket_statuses (id, name_vi, name_en) VALUES
    (1, 'Mới', 'New'),
    (2, 'Chưa xử lý', 'Not processed'),
    (3, 'Đang xử lý', 'Processing'),
    (4, 'Đã xử lý', 'Processed'),
    (5, 'Đóng', 'Closed'),
    (6, 'Xử lý lại', 'Reopened'),
    (7, 'Hủy', 'Cancelled');

INSERT INTO service_categories (id, name_vi, name_en) VALUES
    (1, 'Kinh Doanh', 'Business'),
    (2, 'Kỹ Thuật', 'Technical'),
    (3, 'Chung', 'General');

INSERT INTO service_components (id, category_id, name_vi, name_en) VALUES
    (1, 1, 'Hoá đơn điện tử', 'E-invoice'),
    (2, 1, 'Đồng hồ nước/Chỉ số nước', 'Meter / reading'),
    (3, 1, 'Thu tiền/thanh toán/HĐĐT', 'Collection / payment / e-invoice'),
    (4, 1, 'Định mức/Giá biểu', 'Quota / tariff'),
    (5, 1, 'Thông tin khách hàng', 'Customer information'),
    (6, 1, 'Giá nước sạch', 'Clean-water price'),
    (7, 1, 'Nước tinh khiết', 'Purified water'),
    (8, 2, 'Báo bể/Sửa bể', 'Leak report / repair'),
    (9, 2, 'Gắn mới ĐHN', 'New meter'),
    (10, 2, 'Nâng dời ĐHN', 'Raise / relocate meter'),
    (11, 2, 'Mạng lưới/Kỹ thuật', 'Network / technical'),
    (12, 2, 'Dự án PTML/CTOM', 'Network development projects'),
    (13, 2, 'Chất lượng nước', 'Water quality'),
    (14, 2, 'Tỷ lệ thất thoát nước', 'Water loss ratio'),
    (15, 3, 'Dịch vụ khác', 'Other services');

INSERT INTO service_reasons (id, component_id, name_vi, name_en) VALUES
    (1, 1, 'Hướng dẫn tra cứu hóa đơn', 'How to look up an invoice'),
    (2, 1, 'Hướng dẫn khôi phục mật khẩu', 'Password recovery'),
    (3, 1, 'Hỏi đáp khác về HĐĐT', 'Other e-invoice questions'),
    (4, 1, 'Khiếu nại tiền nước, thu tiền', 'Complaint about bill or collection'),
    (5, 2, 'Khiếu nại chỉ số nước, đồng hồ nước', 'Complaint about reading or meter'),
    (6, 2, 'Yêu cầu kiểm định ĐHN', 'Meter calibration request'),
    (31, 2, 'Cung cấp chỉ số tiêu thụ', 'Provide consumption reading'),
    (7, 3, 'Giải thích về hóa đơn tiền nước', 'Explain a water bill'),
    (8, 3, 'Yêu cầu hoàn tiền', 'Refund request'),
    (9, 3, 'Phản ánh công tác thu tiền', 'Complaint about collection'),
    (32, 3, 'Điều chỉnh hóa đơn', 'Invoice adjustment'),
    (10, 4, 'Yêu cầu điều chỉnh định mức', 'Quota adjustment request'),
    (11, 4, 'Yêu cầu điều chỉnh giá biểu', 'Tariff adjustment request'),
    (12, 4, 'Công tác kiểm tra định mức', 'Quota inspection'),
    (13, 4, 'Công tác kiểm tra giá biểu', 'Tariff inspection'),
    (14, 5, 'Yêu cầu điều chỉnh thông tin KH', 'Change customer information'),
    (15, 5, 'Yêu cầu sang tên hợp đồng', 'Transfer contract ownership'),
    (16, 6, 'Hỏi đáp đơn giá tiền nước', 'Water price questions'),
    (17, 7, 'Hỏi đáp về giá nước tinh khiết', 'Purified-water price questions'),
    (18, 8, 'Bể ống bên ngoài', 'Pipe burst outside'),
    (19, 8, 'Bể ống trong nhà KH', 'Pipe burst inside the customer''s premises'),
    (20, 9, 'Yêu cầu gắn mới ĐHN', 'New meter request'),
    (21, 9, 'Hỏi đáp về tiến độ, thời gian thi công', 'Construction progress questions'),
    (22, 10, 'Yêu cầu tái lập danh bộ', 'Contract reinstatement'),
    (23, 10, 'Yêu cầu nâng, dời ĐHN', 'Raise or relocate meter'),
    (24, 10, 'Yêu cầu nâng cỡ ĐHN', 'Upsize meter'),
    (25, 10, 'Yêu cầu hạ cỡ ĐHN', 'Downsize meter'),
    (26, 11, 'Hỏi về giấy phép đào đường', 'Road-digging permits'),
    (27, 12, 'Về các dự án PTML theo khu vực', 'Network development projects by area'),
    (28, 13, 'Về các dự án CTOM theo khu vực', 'Network renovation projects by area'),
    (29, 13, 'Công tác kiểm tra nước đục', 'Turbid water inspection'),
    (30, 13, 'Tiêu chuẩn về chất lượng nước', 'Water quality standards');

-- base_url stays empty until an admin configures a branch's own TCRM: a branch with
-- no base URL works only inside this portal. url_host records the seed's known host.
