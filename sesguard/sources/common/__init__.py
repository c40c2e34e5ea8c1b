"""What every source family shares: reading limits, resources, positions, regions, the reference graph."""
