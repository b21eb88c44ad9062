"""Models, one file per family: `gentut.models.autoregressive`, ..."""
