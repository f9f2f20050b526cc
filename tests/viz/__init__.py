"""Tests of viz: briefings and the explorer page, in real Chromium."""
