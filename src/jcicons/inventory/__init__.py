"""Products, the stock ledger, receiving, adjustments, counts and serial numbers."""
