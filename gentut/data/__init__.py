"""Datasets: made by the kit or bundled with a package, never fetched unless asked.

- `gentut.data.digits`: binarized 8x8 digits from scikit-learn (offline), fixed split.
- `gentut.data.faces`: procedural cartoon faces with 8 known factors.
- `gentut.data.scenes`: procedural outdoor scenes with segmentation masks and 6 known factors.
- `gentut.data.procedural`: the fixed train / val / test splits of faces and scenes.
- `gentut.data.batch`: `LabeledImages` (images + factors + masks) and `Factor`.
- `gentut.data.mnist`: opt-in MNIST / Fashion-MNIST loader (IDX files, checksums, cache).
"""
