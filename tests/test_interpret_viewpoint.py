"""gentut.interpret.viewpoint with a 'generator' that truly rotates: the renderer itself.

RenderG draws real procedural faces whose yaw is its code's first coordinate; every other factor
is fixed per face. Its pose edit *is* the true rotation, so the sweep must find the edited faces
equal to the true renders, while the unedited faces stop matching once the pose moves.
"""

import torch
import torch.nn as nn

from gentut import zoo
from gentut.data.faces import FACE_FACTORS, make_faces, render_faces
from gentut.interpret.viewpoint import viewpoint_sweep

NAMES = [f.name for f in FACE_FACTORS]


class RenderG(nn.Module):
    """ws (n, 1, 1) -> the faces of `factors` with yaw = ws[:, 0, 0] (clamped to [0, 1]), 32x32."""

    def __init__(self, factors):
        super().__init__()
        self.factors, self.num_ws, self.w_dim = factors, 1, 1
        self.dummy = nn.Parameter(torch.zeros(()))

    def synthesis(self, ws):
        return render_faces({**self.factors, "yaw": ws[:, 0, 0].clamp(0, 1)}, 32)


def test_a_true_rotation_matches_the_truth_and_standing_still_does_not():
    faces = make_faces(6, seed=5, size=32)
    G = RenderG(faces.factors)
    ws = faces.factors["yaw"][:, None, None].clone()
    predictor = zoo.load("faces_predictor", device="cpu")
    sweep = viewpoint_sweep(G, predictor, ws, faces.factors, torch.ones(1), [-0.3, 0.0, 0.3], NAMES)
    assert sweep.read_pose.shape == (3, 6) and sweep.drift.shape == (3, 6, 8)
    assert sweep.psnr_edit.median() > 30                  # the edited faces are the true renders (up to the read pose)
    assert sweep.psnr_still[1].median() > 30              # at strength 0 the unedited face is the target too
    assert sweep.psnr_still[[0, 2]].median() < sweep.psnr_edit[[0, 2]].median() - 5
    turned = sweep.drift[:, :, NAMES.index("yaw")].mean(1)
    assert turned[0] < -0.15 and turned[2] > 0.15 and abs(turned[1]) < 0.02
