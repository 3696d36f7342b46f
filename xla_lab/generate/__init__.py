"""Deterministic synthetic data: the demo MSP's extracts, reference data and answer key."""

from xla_lab.generate.generator import GenerateSummary, generate
from xla_lab.generate.reference import write_reference

__all__ = ["GenerateSummary", "generate", "write_reference"]
