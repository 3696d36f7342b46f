"""Deterministic synthetic data: the demo MSP's extracts, reference data and answer key."""

from orchestration.generate.generator import GenerateSummary, generate
from orchestration.generate.reference import write_reference

__all__ = ["GenerateSummary", "generate", "write_reference"]
