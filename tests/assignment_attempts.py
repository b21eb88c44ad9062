"""Attempts at the six assignments, as students write them: wrong, partial, a correct one written
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

A5_RELEVANCE_BIASED_STD = '''def positive_relevance(styles, scores, n_positive):
    mean, std = styles.mean(0), styles.std(0, unbiased=False)          # divides by N, not N - 1
    top = scores.argsort(0, descending=True)[:n_positive]
    return torch.stack([(styles[top[:, j]].mean(0) - mean) / std for j in range(scores.shape[1])])'''
A5_RELEVANCE_THRESHOLD = '''def positive_relevance(styles, scores, n_positive):
    rows = []
    for j in range(scores.shape[1]):
        kth = scores[:, j].topk(n_positive).values[-1]
        positives = styles[scores[:, j] >= kth]                       # more than n_positive when scores tie
        rows.append((positives.mean(0) - styles.mean(0)) / styles.std(0))
    return torch.stack(rows)'''
A5_RELEVANCE_REVERSED = '''def positive_relevance(styles, scores, n_positive):
    top = scores.argsort(0, descending=True)[:n_positive]
    return torch.stack([(styles.mean(0) - styles[top[:, j]].mean(0)) / styles.std(0)     # all minus positives
                        for j in range(scores.shape[1])])'''
A5_RELEVANCE_TOPK_FLOAT64 = '''def positive_relevance(styles, scores, n_positive):
    styles = styles.double()
    z = (styles - styles.mean(0)) / styles.std(0)                      # standardise first, then average
    positives = scores.double().topk(n_positive, dim=0).indices.T       # (n_factors, n_positive)
    return z[positives].mean(1)'''
A5_LOSS_NOT_DETACHED = '''def ganalyze_loss(G, assessor, w, theta, alpha):
    target = assessor(G.synthesis(broadcast_ws(G, w))) + alpha        # gradients flow through the target
    moved = assessor(G.synthesis(broadcast_ws(G, w + alpha[:, None] * theta)))
    return ((moved - target) ** 2).mean()'''
A5_LOSS_ALPHA_BROADCAST = '''def ganalyze_loss(G, assessor, w, theta, alpha):
    with torch.no_grad():
        target = assessor(G.synthesis(broadcast_ws(G, w))) + alpha
    moved = assessor(G.synthesis(broadcast_ws(G, w + alpha * theta)))   # alpha (n,) times theta (w_dim,)
    return (moved - target).pow(2).mean()'''
A5_LOSS_MSE_DETACH = '''def ganalyze_loss(G, assessor, w, theta, alpha):
    before = assessor(G.synthesis(broadcast_ws(G, w))).detach()
    after = assessor(G.synthesis(broadcast_ws(G, w + alpha.unsqueeze(1) * theta.unsqueeze(0))))
    return torch.nn.functional.mse_loss(after, before + alpha)'''
A5_LOOP_NO_ZERO_GRAD = '''def train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3,
                   generator=None):
    theta = torch.zeros(G.w_dim, requires_grad=True)
    optimizer = torch.optim.Adam([theta], lr=lr)
    for _ in range(steps):
        _, w = sample_latents(G, batch_size, generator)
        alpha = (torch.rand(batch_size, generator=generator) * 2 - 1) * alpha_range
        ganalyze_loss(G, assessor, w, theta, alpha).backward()       # the gradients add up
        optimizer.step()
    return theta.detach()'''
A5_LOOP_NO_STEP = '''def train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3,
                   generator=None):
    theta = torch.zeros(G.w_dim, requires_grad=True)
    optimizer = torch.optim.Adam([theta], lr=lr)
    for _ in range(steps):
        _, w = sample_latents(G, batch_size, generator)
        alpha = (torch.rand(batch_size, generator=generator) * 2 - 1) * alpha_range
        optimizer.zero_grad()
        ganalyze_loss(G, assessor, w, theta, alpha).backward()       # no optimizer.step()
    return theta.detach()'''
A5_LOOP_MAXIMISED = '''def train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3,
                   generator=None):
    theta = torch.zeros(G.w_dim, requires_grad=True)
    optimizer = torch.optim.Adam([theta], lr=lr, maximize=True)       # climbs the loss
    for _ in range(steps):
        _, w = sample_latents(G, batch_size, generator)
        alpha = (torch.rand(batch_size, generator=generator) * 2 - 1) * alpha_range
        optimizer.zero_grad()
        ganalyze_loss(G, assessor, w, theta, alpha).backward()
        optimizer.step()
    return theta.detach()'''
A5_LOOP_UNIFORM = '''def train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3,
                   generator=None):
    theta = torch.nn.Parameter(torch.zeros(G.w_dim))
    optimizer = torch.optim.Adam([theta], lr=lr)
    for step in range(steps):
        w = sample_latents(G, batch_size, generator)[1]
        alpha = torch.empty(batch_size).uniform_(-alpha_range, alpha_range, generator=generator)
        loss = ganalyze_loss(G, assessor, w, theta, alpha)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return theta.detach().clone()'''
A5_AGREEMENT_ROW_ARGMAX = '''def code_mode_agreement(counts):
    counts = np.asarray(counts)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be square, got {counts.shape}")
    return float(counts.max(1).sum() / counts.sum())                   # a mode may be used twice'''
A5_AGREEMENT_GREEDY = '''def code_mode_agreement(counts):
    counts = np.asarray(counts)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be square, got {counts.shape}")
    free, total = set(range(counts.shape[1])), 0
    for row in counts:                                                 # each code takes its best free mode
        best = max(free, key=lambda mode: row[mode])
        free.remove(best)
        total += row[best]
    return float(total / counts.sum())'''
A5_AGREEMENT_NO_CHECK = '''def code_mode_agreement(counts):
    rows, cols = linear_sum_assignment(-np.asarray(counts))             # rectangular works too: no error
    return float(np.asarray(counts)[rows, cols].sum() / np.asarray(counts).sum())'''
A5_AGREEMENT_PERMUTATIONS = '''def code_mode_agreement(counts):
    import itertools
    counts = np.asarray(counts, dtype=np.float64)
    k = len(counts)
    if counts.shape != (k, k):
        raise ValueError(f"counts must be a square (k, k) matrix, got {counts.shape}")
    best = max(counts[np.arange(k), list(p)].sum() for p in itertools.permutations(range(k)))
    return best / counts.sum()                                         # a NumPy float64'''
A5_CHANNEL_ONE_BASED = '''channel = sum(layout.sizes[:layout.names.index("to-RGB 3 (32x32)")]) + 12   # counted from 1
channel_change = channel_changes(G, predictor, layout, styles[:100], torch.tensor([channel]), torch.tensor([3.0]),
                                 style_std)[0, :, HAIR_COLOR].mean().item()
hair_relevance = positive_relevance(styles, scores, 30)[HAIR_COLOR]
examples_channel = int(hair_relevance.abs().argmax())
examples_strength = 3.0 * float(hair_relevance[examples_channel].sign())
examples_change = channel_changes(G, predictor, layout, styles[:100], torch.tensor([examples_channel]),
                                  torch.tensor([examples_strength]), style_std)[0, :, HAIR_COLOR].mean().item()'''
A5_MOVED_IN_UNITS = '''def moved_hair(c, strength):
    with torch.no_grad():
        before = predictor.predict(render_styles(G, layout, styles[:100]))
        moved = styles[:100].clone()
        moved[:, c] += strength                                         # 3 units, not 3 standard deviations
        return float((predictor.predict(render_styles(G, layout, moved)) - before)[:, HAIR_COLOR].mean())


channel = sum(layout.sizes[:layout.names.index("to-RGB 3 (32x32)")]) + 13
channel_change = moved_hair(channel, 3.0)
hair_relevance = positive_relevance(styles, scores, 30)[HAIR_COLOR]
examples_channel = int(hair_relevance.abs().argmax())
examples_strength = 3.0 * float(hair_relevance[examples_channel].sign())
examples_change = moved_hair(examples_channel, examples_strength)'''
A5_MEASURED_BY_HAND = '''def moved_hair(c, strength):
    with torch.no_grad():
        before = predictor.predict(render_styles(G, layout, styles[:100]))
        after = predictor.predict(render_styles(G, layout, edit_channel(styles[:100], c, strength, style_std)))
    return float((after - before)[:, HAIR_COLOR].mean())


sizes = dict(zip(layout.names, layout.sizes))
channel = sum(sizes[name] for name in layout.names[:layout.names.index("to-RGB 3 (32x32)")]) + 13
channel_change = moved_hair(channel, 3.0)
hair_relevance = positive_relevance(styles, scores, 30)[HAIR_COLOR]
examples_channel = int(torch.argmax(hair_relevance.abs()))
examples_strength = 3.0 if hair_relevance[examples_channel] > 0 else -3.0
examples_change = moved_hair(examples_channel, examples_strength)'''

A6_ALPHA_BAR_CUMSUM = '''def alpha_bar(betas):
    return 1 - torch.cumsum(betas, 0)                                  # the first-order approximation


def noisy(x0, t, eps, abar):
    a = abar[t].reshape(-1, *[1] * (x0.dim() - 1))
    return a.sqrt() * x0 + (1 - a).sqrt() * eps'''
A6_NOISY_LAST_AXIS = '''def alpha_bar(betas):
    return torch.cumprod(1 - betas, dim=0)


def noisy(x0, t, eps, abar):
    return abar[t].sqrt() * x0 + (1 - abar[t]).sqrt() * eps            # abar[t] (B,) not reshaped'''
A6_NOISY_IMAGES_ONLY = '''def alpha_bar(betas):
    return torch.cumprod(1 - betas, dim=0)


def noisy(x0, t, eps, abar):
    a = abar[t].view(-1, 1, 1, 1)                                      # right for (B, C, H, W) only
    return a.sqrt() * x0 + (1 - a).sqrt() * eps'''
A6_NOISY_NO_SQRT = '''def alpha_bar(betas):
    return torch.cumprod(1 - betas, dim=0)


def noisy(x0, t, eps, abar):
    a = abar[t].reshape(-1, *[1] * (x0.dim() - 1))
    return a * x0 + (1 - a) * eps                                      # variances used as scales'''
A6_FORWARD_LOGS = '''def alpha_bar(betas):
    return torch.exp(torch.cumsum(torch.log1p(-betas), 0))


def noisy(x0, t, eps, abar):
    a = abar.index_select(0, t)
    while a.dim() < x0.dim():
        a = a.unsqueeze(-1)
    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * eps'''
A6_FORWARD_FLOAT64 = '''def alpha_bar(betas):
    return torch.cumprod(1 - betas.double(), 0)                        # float64, whatever comes in


def noisy(x0, t, eps, abar):
    a = abar.double()[t].reshape(len(t), *[1] * (x0.dim() - 1))
    return a.sqrt() * x0.double() + (1 - a).sqrt() * eps.double()'''
A6_LOSS_TARGET_X0 = '''def diffusion_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar), (len(x0),), generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    return (model(noisy(x0, t, eps, abar), t) - x0).pow(2).mean()     # predicts the data, not the noise'''
A6_LOSS_ONE_T = '''def diffusion_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar), (1,), generator=generator).expand(len(x0))     # one step for the whole batch
    eps = torch.randn(x0.shape, generator=generator)
    return (model(noisy(x0, t, eps, abar), t) - eps).pow(2).mean()'''
A6_LOSS_NO_LAST_STEP = '''def diffusion_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar) - 1, (len(x0),), generator=generator)  # 0..T-2: T-1 never drawn
    eps = torch.randn(x0.shape, generator=generator)
    return (model(noisy(x0, t, eps, abar), t) - eps).pow(2).mean()'''
A6_LOSS_SUM = '''def diffusion_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar), (len(x0),), generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    return (model(noisy(x0, t, eps, abar), t) - eps).pow(2).sum()'''
A6_LOSS_UNIFORM_NOISE = '''def diffusion_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar), (len(x0),), generator=generator)
    eps = torch.rand(x0.shape, generator=generator)                    # uniform, not standard normal
    return (model(noisy(x0, t, eps, abar), t) - eps).pow(2).mean()'''
A6_LOSS_MSE_INLINE = '''def diffusion_loss(model, x0, abar, generator=None):
    noise = torch.randn(x0.shape, generator=generator)                 # the noise first, then the steps
    steps = torch.randint(0, abar.shape[0], (x0.shape[0],), generator=generator)
    scale = abar[steps].view(x0.shape[0], *([1] * (x0.ndim - 1)))
    x_t = torch.sqrt(scale) * x0 + torch.sqrt(1 - scale) * noise
    return F.mse_loss(model(x_t, steps), noise)'''
A6_DDIM_SWAPPED = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    x0_hat = (x_t - (1 - abar_next) ** 0.5 * eps_hat) / abar_next ** 0.5      # the levels swapped
    return abar_t ** 0.5 * x0_hat + (1 - abar_t) ** 0.5 * eps_hat'''
A6_DDIM_FRESH_NOISE = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    x0_hat = (x_t - (1 - abar_t) ** 0.5 * eps_hat) / abar_t ** 0.5
    return abar_next ** 0.5 * x0_hat + (1 - abar_next) ** 0.5 * torch.randn_like(x_t)     # re-noised afresh'''
A6_DDIM_DDPM_MEAN = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    alpha = abar_t / abar_next                                          # DDPM's posterior mean, no noise
    return (x_t - (1 - alpha) / (1 - abar_t) ** 0.5 * eps_hat) / alpha ** 0.5'''
A6_DDIM_MATH_SQRT = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    x0_hat = (x_t - math.sqrt(1 - abar_t) * eps_hat) / math.sqrt(abar_t)     # floats only
    return math.sqrt(abar_next) * x0_hat + math.sqrt(1 - abar_next) * eps_hat'''
A6_DDIM_RATIO = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    a = torch.as_tensor(abar_t, dtype=x_t.dtype)
    b = torch.as_tensor(abar_next, dtype=x_t.dtype)
    # DDIM's update written as one combination of x_t and eps_hat (Song et al. 2021, eq. 13)
    return torch.sqrt(b / a) * x_t + (torch.sqrt(1 - b) - torch.sqrt(b * (1 - a) / a)) * eps_hat'''
A6_DDIM_FLOAT64 = '''def ddim_step(x_t, eps_hat, abar_t, abar_next):
    x_t, eps_hat = x_t.double(), eps_hat.double()
    a = torch.as_tensor(abar_t, dtype=torch.float64)
    b = torch.as_tensor(abar_next, dtype=torch.float64)
    x0_hat = (x_t - (1 - a).sqrt() * eps_hat) / a.sqrt()
    return b.sqrt() * x0_hat + (1 - b).sqrt() * eps_hat'''
A6_LOOP_NO_ZERO_GRAD = '''def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        batch = data[torch.randint(len(data), (batch_size,), generator=generator)]
        loss = diffusion_loss(model, batch, abar, generator)
        loss.backward()                                                 # the gradients add up
        optimizer.step()
        losses.append(loss.item())
    return losses'''
A6_LOOP_NO_STEP = '''def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        batch = data[torch.randint(len(data), (batch_size,), generator=generator)]
        loss = diffusion_loss(model, batch, abar, generator)
        optimizer.zero_grad()
        loss.backward()                                                 # no optimizer.step()
        losses.append(loss.item())
    return losses'''
A6_LOOP_MAXIMISED = '''def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        batch = data[torch.randint(len(data), (batch_size,), generator=generator)]
        loss = diffusion_loss(model, batch, abar, generator)
        optimizer.zero_grad()
        (-loss).backward()                                              # climbs the loss
        optimizer.step()
        losses.append(loss.item())
    return losses'''
A6_LOOP_FIXED_BATCH = '''def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    batch = data[:batch_size]                                           # the same rows every step
    for _ in range(steps):
        loss = diffusion_loss(model, batch, abar, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses'''
A6_LOOP_RANDPERM = '''def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    optimizer = torch.optim.Adam(params=list(model.parameters()), lr=lr)
    history = []
    for step in range(steps):
        rows = torch.randperm(data.shape[0], generator=generator)[:batch_size]     # without replacement
        loss = diffusion_loss(model, data[rows], abar, generator)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        history.append(float(loss))
    return history'''
A6_FACTS_LAST_ABOVE = '''def schedule_facts(betas):
    abar = alpha_bar(betas)
    half_step = int((abar >= 0.5).nonzero()[-1])                       # the last step still above one half
    return half_step, float(abar[-1] / (1 - abar[-1]))'''
A6_FACTS_NOISE_TO_SIGNAL = '''def schedule_facts(betas):
    abar = alpha_bar(betas)
    return int((abar < 0.5).nonzero()[0]), float((1 - abar[-1]) / abar[-1])      # noise over signal'''
A6_FACTS_LOOP = '''def schedule_facts(betas):
    levels = alpha_bar(betas).double().tolist()
    half_step = next(t for t, level in enumerate(levels) if level < 0.5)
    return half_step, levels[-1] / (1 - levels[-1])'''

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
    "a5": {
        "biased std": ({"q1": A5_RELEVANCE_BIASED_STD}, {"q1": 2.0}, "the std over N, not torch's default over N - 1"),
        "ties": ({"q1": A5_RELEVANCE_THRESHOLD}, {"q1": 1.0}, "positives by a threshold: too many when scores tie"),
        "reversed": ({"q1": A5_RELEVANCE_REVERSED}, {"q1": 5.0}, "everyone's mean minus the positives'"),
        "not detached": ({"q2": A5_LOSS_NOT_DETACHED}, {"q2": 1.0}, "gradients flow through the target"),
        "alpha broadcast": ({"q2": A5_LOSS_ALPHA_BROADCAST}, {"q2": 4.0}, "alpha * theta without alpha[:, None]"),
        "no zero_grad": ({"q3": A5_LOOP_NO_ZERO_GRAD}, {"q3": 4.0}, "the loop never zeroes the gradients"),
        "no step": ({"q3": A5_LOOP_NO_STEP}, {"q3": 4.0}, "the loop never steps the optimiser"),
        "maximised": ({"q3": A5_LOOP_MAXIMISED}, {"q3": 4.0}, "the loop climbs the loss"),
        "row argmax": ({"q4": A5_AGREEMENT_ROW_ARGMAX}, {"q4": 1.0}, "each code's best mode, not a matching"),
        "greedy": ({"q4": A5_AGREEMENT_GREEDY}, {"q4": 1.0}, "a greedy matching, code by code"),
        "no ValueError": ({"q4": A5_AGREEMENT_NO_CHECK}, {"q4": 1.0}, "non-square counts accepted"),
        "one-based": ({"q5": A5_CHANNEL_ONE_BASED}, {"q5": 1.0}, "channel #13 counted from 1"),
        "units": ({"q5": A5_MOVED_IN_UNITS}, {"q5": 2.0}, "channels moved by 3 units, not 3 std"),
        "alternative": ({"q2": A5_LOSS_MSE_DETACH, "q3": A5_LOOP_UNIFORM, "q4": A5_AGREEMENT_PERMUTATIONS,
                         "q5": A5_MEASURED_BY_HAND}, {},
                        "mse_loss and detach, a loop with uniform_ and a Parameter, every permutation, q5 by hand"),
        "float64": ({"q1": A5_RELEVANCE_TOPK_FLOAT64}, {}, "relevance by topk on standardised codes, in float64"),
    },
    "a6": {
        "cumsum": ({"q1": A6_ALPHA_BAR_CUMSUM}, {"q1": 2.0}, "abar as 1 - the cumulative sum of the betas"),
        "last axis": ({"q1": A6_NOISY_LAST_AXIS}, {"q1": 4.0}, "abar[t] (B,) not reshaped: wrong on every shape"),
        "images only": ({"q1": A6_NOISY_IMAGES_ONLY}, {"q1": 1.0}, "abar[t] viewed as (B, 1, 1, 1): points fail"),
        "no sqrt": ({"q1": A6_NOISY_NO_SQRT}, {"q1": 3.0}, "abar and 1 - abar as the coefficients, no square roots"),
        "target x0": ({"q2": A6_LOSS_TARGET_X0}, {"q2": 2.0}, "the loss compares the guess with x0, not eps"),
        "one t": ({"q2": A6_LOSS_ONE_T}, {"q2": 1.0}, "one step for the whole batch"),
        "no T-1": ({"q2": A6_LOSS_NO_LAST_STEP}, {"q2": 1.0}, "steps drawn from 0..T-2"),
        "sum": ({"q2": A6_LOSS_SUM}, {"q2": 2.0}, "a sum of squared errors, not a mean"),
        "uniform noise": ({"q2": A6_LOSS_UNIFORM_NOISE}, {"q2": 1.0}, "eps from torch.rand"),
        "swapped": ({"q3": A6_DDIM_SWAPPED}, {"q3": 3.0}, "abar_t and abar_next swapped (it still runs backwards)"),
        "fresh noise": ({"q3": A6_DDIM_FRESH_NOISE}, {"q3": 3.0}, "re-noised with fresh noise (lands at abar 1)"),
        "DDPM step": ({"q3": A6_DDIM_DDPM_MEAN}, {"q3": 3.0}, "DDPM's posterior mean (lands at abar 1)"),
        "math.sqrt": ({"q3": A6_DDIM_MATH_SQRT}, {"q3": 1.0}, "math.sqrt: float levels only, not (B, 1, 1, 1)"),
        "no zero_grad": ({"q4": A6_LOOP_NO_ZERO_GRAD}, {"q4": 4.0}, "the loop never zeroes the gradients"),
        "no step": ({"q4": A6_LOOP_NO_STEP}, {"q4": 4.0}, "the loop never steps the optimiser"),
        "maximised": ({"q4": A6_LOOP_MAXIMISED}, {"q4": 4.0}, "the loop climbs the loss"),
        "fixed batch": ({"q4": A6_LOOP_FIXED_BATCH}, {"q4": 1.0}, "the same 128 rows every step (it still trains)"),
        "last above": ({"q5": A6_FACTS_LAST_ABOVE}, {"q5": 1.0}, "the last step at or above one half"),
        "noise to signal": ({"q5": A6_FACTS_NOISE_TO_SIGNAL}, {"q5": 1.0}, "(1 - abar) / abar"),
        "alternative": ({"q1": A6_FORWARD_LOGS, "q2": A6_LOSS_MSE_INLINE, "q3": A6_DDIM_RATIO, "q4": A6_LOOP_RANDPERM,
                         "q5": A6_FACTS_LOOP}, {},
                        "abar by logs, the loss inline with mse_loss, DDIM as one combination, randperm batches, a loop"),
        "float64": ({"q1": A6_FORWARD_FLOAT64, "q3": A6_DDIM_FLOAT64}, {}, "the forward process and DDIM in float64"),
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
