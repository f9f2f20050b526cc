"""Tests of analysis beyond its doctests: properties of the detectors."""
