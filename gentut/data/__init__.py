"""Datasets: made by the kit or bundled with a package, never fetched unless asked.

- `gentut.data.digits`: binarized 8x8 digits from scikit-learn (offline).
- `gentut.data.mnist`: opt-in MNIST / Fashion-MNIST loader (IDX files, checksums, cache).
"""
