"""Staff alerts: the StaffAlerts adapters (log, webhook, SIP2 status) and what raises them."""
