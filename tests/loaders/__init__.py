"""Tests of loaders: FtM, BODS, merged sources, loads cut off by a crash."""
