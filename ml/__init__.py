"""Machine learning: the two Keras models, their training tasks, and the serving index (later issues)."""
