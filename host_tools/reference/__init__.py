"""The correctness reference: TFLite golden outputs and model inputs."""
