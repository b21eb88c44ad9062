"""Inverting a generator: from a user's image back to a code the generator can edit (notebook 07).

images      accept any user image (path, PIL, numpy, tensor; any size or mode) as (1, 3, 32, 32)
losses      the reconstruction objective: pixel MSE + a feature distance in the predictor's space
optimize    optimisation-based inversion into Z, W or W+ (Image2StyleGAN), with snapshots
encoder     inverting with the learned encoder image -> w (network: gentut.models.encoder; zoo faces_encoder)
indomain    in-domain inversion: encoder start + the domain regulariser ||w - E(G(w))||, and
            semantic diffusion (blend a pasted region with a masked in-domain inversion)
pti         pivotal tuning: invert to a pivot w, then tune the generator around it
prior       the generator as an image prior: inpainting, colorization, super-resolution
editability does an edit of an inverted code do what the same edit does to a sampled code?
report      one row of notebook 07's table per method: distortion, time, editability, domain gap
"""
