"""Interpreting and steering generators: the algorithms notebooks 04-06, 09, 09b and 10 teach, as tested functions.

edits        move codes along a direction in W / W+ and measure what the predictor sees change
             (shared by every direction-finding method, so they are compared on one scale)
boundaries   InterFaceGAN: a linear SVM boundary per attribute, projection for conditional edits
rescoring    the supervised recipe end to end: sample + pseudo-label, fit all boundaries (Z or W),
             re-scoring with a reliability rule, HiGAN's layer-range effects, conditional side effects
sefa         SeFa: closed-form directions, eigenvectors of A^T A for the style weights A of chosen layers
ganspace     GANSpace: PCA of sampled W codes (directions, explained variance, std per direction)
steerability walks (linear, non-linear) learned to imitate an image transform: brightness, shift, zoom
discovery    Voynov & Babenko: a deformator of K directions + a reconstructor that names them (zoo: faces_discovery)
hessian      the Hessian penalty: Rademacher + central differences, vs the exact off-diagonal sum
hessian_gan  the penalty in training: GANs of one-blob images with and without it, factors read back exactly
compare      score any method's directions against known factors: main factor, purity, summary table
dissection   GAN Dissection: unit-concept IoU vs the segmenter (intervention: ablate / insert units)
stylespace   StyleSpace: edit one style channel of S; find a factor's channels (positive examples, gradients)
ganalyze     GANalyze: learn the direction in W that raises any differentiable score by alpha
styleflow    StyleFlow in miniature: a conditional flow on W; edit an attribute, keep the noise
zeroshot     the tiny CLIP's training on captioned faces and scenes, and reading factors zero-shot
styleclip    StyleCLIP: latent optimisation towards a sentence, global directions in S from a sentence
hspace       a diffusion model's U-Net bottleneck ("h-space"): InterFaceGAN directions there, edits by the
             asymmetric reverse process (notebook 10)
"""
