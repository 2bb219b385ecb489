"""Model backends behind the Predictor interface: llama.cpp (in-process), transformers, Ollama."""
