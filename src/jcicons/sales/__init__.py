"""The point of sale, sales documents and the payment ledger."""
