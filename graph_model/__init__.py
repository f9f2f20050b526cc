"""Domain types, the list and measure catalogue, the rules engine and the store adapters."""
