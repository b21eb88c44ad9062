"""Attempts at the four assignments, as students write them: wrong, partial, a correct one written
differently, one computed in float64, and a variant the specification allows (e.g. the gradient
penalty's interpolation mirrored). No gentut imports: the same answers are graded by older versions
of the assignments too, to measure each before and after.

ATTEMPTS[assignment][attempt] = ({question: answer cell code}, {question: points it should lose now}, why)
"""

from __future__ import annotations

A1_MASK_SWAPPED = '''def causal_mask(kernel_size, mask_type):
    if mask_type not in ("A", "B"):
        raise ValueError(f"unknown mask type {mask_type!r}")
    mask = torch.ones(kernel_size, kernel_size)
    centre = kernel_size // 2
    mask[centre, centre + (mask_type == "A"):] = 0        # A and B swapped
    mask[centre + 1:] = 0
    return mask'''
A1_ELBO_NO_KL = '''def negative_elbo(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits, x.flatten(1), reduction="none").sum(1)'''
A1_MASK_RASTER = '''def causal_mask(kernel_size, mask_type):
    if mask_type not in ("A", "B"):
        raise ValueError(f"unknown mask type {mask_type!r}")
    order = torch.arange(kernel_size * kernel_size).reshape(kernel_size, kernel_size)
    centre = (kernel_size * kernel_size) // 2
    return (order < centre).float() + (order == centre).float() * (mask_type == "B")'''
A1_REPARAMETERIZE = '''def reparameterize(mu, logvar, eps):
    return mu + logvar.mul(0.5).exp() * eps'''
A1_ELBO_SOFTPLUS = '''def negative_elbo(logits, x, mu, logvar):
    x = x.reshape(len(x), -1)
    nll = (F.softplus(-logits) * x + F.softplus(logits) * (1 - x)).sum(dim=1)
    return nll - 0.5 * torch.sum(1 + logvar - mu ** 2 - torch.exp(logvar), dim=1)'''
A1_ELBO_FLOAT64 = '''def negative_elbo(logits, x, mu, logvar):
    logits, x, mu, logvar = logits.double(), x.double().flatten(1), mu.double(), logvar.double()
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    return bce + 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)'''
A1_ELBO_DISTRIBUTIONS = '''def negative_elbo(logits, x, mu, logvar):
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    prior = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    nll = -torch.distributions.Bernoulli(logits=logits).log_prob(x.flatten(1)).sum(1)
    return nll + torch.distributions.kl_divergence(q, prior).sum(1)'''

A2_D_SWAPPED = '''def d_logistic_loss(real_logits, fake_logits):
    return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()'''
A2_GP_NO_CREATE_GRAPH = '''def gradient_penalty(critic, real, fake, generator=None):
    shape = (len(real),) + (1,) * (real.dim() - 1)
    mix = torch.rand(shape, generator=generator).to(real.device)
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()'''
A2_D_BCE = '''def d_logistic_loss(real_logits, fake_logits):
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake'''
A2_GP_GRAD_OUTPUTS = '''def gradient_penalty(critic, real, fake, generator=None):
    eps = torch.rand(real.shape[0], *[1] * (real.ndim - 1), generator=generator).to(real.device)
    points = eps * real + (1 - eps) * fake
    points.requires_grad_()
    scores = critic(points)
    grad = torch.autograd.grad(scores, points, grad_outputs=torch.ones_like(scores), create_graph=True)[0]
    norms = grad.reshape(grad.shape[0], -1).pow(2).sum(1).sqrt()
    return ((norms - 1) ** 2).mean()'''
A2_D_FLOAT64 = '''def d_logistic_loss(real_logits, fake_logits):
    return F.softplus(-real_logits.double()).mean() + F.softplus(fake_logits.double()).mean()'''
A2_WGAN_FLOAT64 = '''def wgan_critic_loss(real_scores, fake_scores):
    return fake_scores.double().mean() - real_scores.double().mean()'''
A2_GP_MIRRORED = '''def gradient_penalty(critic, real, fake, generator=None):
    shape = (len(real),) + (1,) * (real.dim() - 1)
    mix = 1 - torch.rand(shape, generator=generator).to(real.device)        # 1 - U[0, 1] is U[0, 1] too
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()'''

A3_PROJECT_SEQUENTIAL = '''def project_out(primal, *conditions):
    direction = primal.clone()
    for condition in conditions:                      # one after the other: wrong if they are not orthogonal
        condition = condition / condition.norm()
        direction = direction - (direction @ condition) * condition
    if direction.norm() < 1e-4 * primal.norm():
        raise ValueError("nothing is left")
    return direction / direction.norm()'''
A3_SEFA_NO_SIGNS = '''def sefa_directions(weight):
    eigenvalues, eigenvectors = torch.linalg.eigh(weight.T @ weight)
    return eigenvectors.flip(1).T, eigenvalues.flip(0)'''
A3_SEFA_SVD = '''def sefa_directions(weight):
    _, singular, vh = torch.linalg.svd(weight.double(), full_matrices=True)
    eigenvalues = torch.zeros(weight.shape[1], dtype=torch.float64)
    eigenvalues[:len(singular)] = singular ** 2
    rows = torch.arange(len(vh))
    signs = torch.sign(vh[rows, vh.abs().argmax(1)])
    return (vh * signs[:, None]).float(), eigenvalues.float()'''
A3_PROJECT_LSTSQ = '''def project_out(primal, *conditions):
    basis = torch.stack(conditions, 1)
    coefficients = torch.linalg.lstsq(basis, primal[:, None]).solution
    direction = primal - (basis @ coefficients)[:, 0]
    if direction.norm() < 1e-4 * primal.norm():
        raise ValueError("the primal lies in the span of the conditions")
    return direction / direction.norm()'''
A3_BOUNDARY_FLOAT64 = '''def fit_boundary(codes, scores, ratio=0.2):
    order = torch.argsort(scores)
    k = int(round(ratio * len(scores)))
    chosen = torch.cat([order[-k:], order[:k]])
    labels = torch.cat([torch.ones(k), torch.zeros(k)])
    svm = LinearSVC(C=1.0, max_iter=20000).fit(codes[chosen].double().numpy(), labels.numpy())
    normal = torch.from_numpy(svm.coef_[0])                # float64
    return normal / normal.norm()'''
A3_SEFA_FLOAT64 = '''def sefa_directions(weight):
    eigenvalues, eigenvectors = torch.linalg.eigh(weight.double().T @ weight.double())
    eigenvalues, directions = eigenvalues.flip(0), eigenvectors.flip(1).T
    signs = torch.sign(directions[torch.arange(len(directions)), directions.abs().argmax(1)])
    return directions * signs[:, None], eigenvalues          # float64'''
A3_BOUNDARY_MIRRORED = '''def fit_boundary(codes, scores, ratio=0.2):
    order = torch.argsort(scores, descending=True)          # highest first, labelled 0: the normal flips
    k = int(round(ratio * len(scores)))
    chosen = torch.cat([order[:k], order[-k:]])
    labels = torch.cat([torch.zeros(k), torch.ones(k)])
    svm = LinearSVC(C=1.0, max_iter=20000).fit(codes[chosen].double().numpy(), labels.numpy())
    normal = -torch.from_numpy(svm.coef_[0]).float()
    return normal / normal.norm()'''

A4_MSE_ALL_PIXELS = '''def masked_mse(images, targets, mask):
    return (mask * (images - targets).pow(2)).flatten(1).mean(1)'''
A4_INVERT_W = '''def invert_wplus(G, targets, steps=50, lr=0.05):
    w = G.w_avg.expand(len(targets), -1).clone().requires_grad_(True)     # one code per image: W, not W+
    optimizer = torch.optim.Adam([w], lr=lr)
    for _ in range(steps):
        loss = (G.synthesis(broadcast_ws(G, w)) - targets).pow(2).flatten(1).mean(1).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return broadcast_ws(G, w).detach()'''
A4_INPAINT_NO_PASTE = '''def inpaint(G, observed, mask, steps=50, lr=0.05):
    ws = G.w_avg.expand(len(observed), G.num_ws, -1).clone().requires_grad_(True)
    optimizer = torch.optim.Adam([ws], lr=lr)
    for _ in range(steps):
        loss = masked_mse(G.synthesis(ws), observed, mask).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return G.synthesis(ws)                               # the observed pixels are not put back'''
A4_INVERT_MSE_LOSS = '''def invert_wplus(G, targets, steps=50, lr=0.05):
    ws = G.w_avg[None, None].repeat(len(targets), G.num_ws, 1).requires_grad_()
    optimizer = torch.optim.Adam([ws], lr=lr)
    for _ in range(steps):
        per_image = F.mse_loss(G.synthesis(ws), targets, reduction="none").mean(dim=(1, 2, 3))
        optimizer.zero_grad()
        per_image.sum().backward()
        optimizer.step()
    return ws.detach()'''
A4_MSE_WHERE = '''def masked_mse(images, targets, mask):
    known = mask.expand(images.shape[0], 1, images.shape[2], images.shape[3])
    squared = torch.where(known.bool(), (images - targets) ** 2, torch.zeros_like(images))
    return torch.einsum("bchw->b", squared) / (images.shape[1] * torch.einsum("bchw->b", known))'''
A4_MSE_FLOAT64 = '''def masked_mse(images, targets, mask):
    images, targets = images.double(), targets.double()
    mask = mask.double().expand(len(images), 1, *images.shape[2:])
    return (mask * (images - targets) ** 2).sum((1, 2, 3)) / (3 * mask.sum((1, 2, 3)))'''
A4_INVERT_MEAN_TIMES_B = '''def invert_wplus(G, targets, steps=50, lr=0.05):
    ws = G.w_avg.expand(len(targets), G.num_ws, -1).clone().requires_grad_(True)
    optimizer = torch.optim.Adam([ws], lr=lr)
    for _ in range(steps):
        loss = (G.synthesis(ws) - targets).pow(2).flatten(1).mean(1).mean() * len(targets)   # = the sum
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return ws.detach()'''

ATTEMPTS = {
    "a1": {
        "wrong": ({"q1": A1_MASK_SWAPPED}, {"q1": 2.0}, "types A and B swapped; they still refuse 'C'"),
        "partial": ({"q4": A1_ELBO_NO_KL}, {"q4": 4.0}, "the KL term left out: right only where KL is 0"),
        "alternative": ({"q1": A1_MASK_RASTER, "q3": A1_REPARAMETERIZE, "q4": A1_ELBO_SOFTPLUS}, {},
                        "the mask from raster order, the ELBO with softplus and the paper's KL"),
        "float64": ({"q4": A1_ELBO_FLOAT64}, {}, "the ELBO computed and returned in float64"),
        "variant": ({"q4": A1_ELBO_DISTRIBUTIONS}, {}, "the ELBO with torch.distributions"),
    },
    "a2": {
        "wrong": ({"q1": A2_D_SWAPPED}, {"q1": 3.0}, "real and fake swapped in D's loss"),
        "partial": ({"q4": A2_GP_NO_CREATE_GRAPH}, {"q4": 1.0}, "the penalty without create_graph"),
        "alternative": ({"q1": A2_D_BCE, "q4": A2_GP_GRAD_OUTPUTS}, {},
                        "D's loss with BCE targets, the penalty with grad_outputs and a hand-written norm"),
        "float64": ({"q1": A2_D_FLOAT64, "q3": A2_WGAN_FLOAT64}, {}, "two losses computed in float64"),
        "mirrored": ({"q4": A2_GP_MIRRORED}, {}, "the interpolation drawn as 1 - U[0, 1]"),
    },
    "a3": {
        "wrong": ({"q2": A3_PROJECT_SEQUENTIAL}, {"q2": 3.0}, "conditions projected out one after the other"),
        "partial": ({"q3": A3_SEFA_NO_SIGNS}, {"q3": 1.0}, "SeFa without fixing the signs"),
        "alternative": ({"q2": A3_PROJECT_LSTSQ, "q3": A3_SEFA_SVD}, {},
                        "the projection by least squares, SeFa by an SVD"),
        "float64": ({"q1": A3_BOUNDARY_FLOAT64, "q3": A3_SEFA_FLOAT64}, {}, "the normal and SeFa in float64"),
        "mirrored": ({"q1": A3_BOUNDARY_MIRRORED}, {}, "the labels swapped and the normal negated"),
    },
    "a4": {
        "wrong": ({"q2": A4_MSE_ALL_PIXELS}, {"q2": 2.0}, "masked MSE divided by every pixel (right when all are known)"),
        "W for W+": ({"q1": A4_INVERT_W}, {"q1": 2.0}, "one code per image copied to every layer"),
        "partial": ({"q3": A4_INPAINT_NO_PASTE}, {"q3": 2.0}, "inpainting that does not put the observed pixels back"),
        "alternative": ({"q1": A4_INVERT_MSE_LOSS, "q2": A4_MSE_WHERE}, {},
                        "inversion with F.mse_loss, masked MSE with torch.where and einsum"),
        "float64": ({"q2": A4_MSE_FLOAT64}, {}, "masked MSE in float64"),
        "mirrored": ({"q1": A4_INVERT_MEAN_TIMES_B}, {}, "the batch mean times B instead of the sum"),
    },
}


def attempt_cells(cells: list[tuple[str, str]], answers: dict[str, str]) -> list[tuple[str, str]]:
    """An assignment's cells [(cell_type, source)] with some '# ANSWER q' cells replaced by `answers`."""
    out = []
    for kind, source in cells:
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        question = first.split()[-1] if first.startswith("# ANSWER") else None
        out.append((kind, f"# ANSWER {question}\n{answers[question]}" if question in answers else source))
    return out
