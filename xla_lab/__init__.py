"""The warehouse's laboratory, kept apart from the pipeline: `generate`, the deterministic
synthetic MSP whose extracts, reference data and answer key the tests and the demo run
on, and `bench`, which measures the warehouse on those extracts and writes BENCHMARKS.md.
The `xla generate` and `xla bench` commands are their entry points."""
