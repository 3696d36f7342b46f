"""The MSP's reference data: its files' shapes, their validation, and the run's snapshot."""
