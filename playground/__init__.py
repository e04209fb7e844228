"""Neural Network Playground."""
