"""Sales: what the orders alone tell an owner (the overview, sales over time, top sellers, cohorts)."""
