-- The customer page lists a customer's tickets.
CREATE INDEX tickets_customer ON tickets (id_customer, id DESC);
