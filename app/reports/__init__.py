"""Read models for the back-office: queries that join several domains (orders with their
payments and stock, customers with their orders, the dashboard, the bell). Above every
domain, below the faces; nothing here writes."""
