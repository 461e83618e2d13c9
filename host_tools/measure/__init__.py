"""Building and measuring models on a device: one inference, a benchmark row, a build."""
