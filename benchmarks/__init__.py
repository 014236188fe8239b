"""Side-by-side benchmarks of tunel-jupyter, run with ``python -m benchmarks``."""
