"""dlcourse.gan: config checks, the models, deterministic training, checkpoints, the quality
metrics, the CLI, the plots, and (on real MNIST) measured sample quality for a seed the
chapter's page does not use."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from dlcourse import gan
from dlcourse.gan import GANConfig, cli, frechet_distance, training
from dlcourse.plots import gan as plots

from .conftest import ROOT, seeds_off_the_page

TINY = {"g_hidden": (32,), "d_hidden": (32,), "batch_size": 16, "n_fixed": 4}


def _images(n: int = 64, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"arch": "resnet"}, "arch must be one of 'mlp', 'dcgan', got 'resnet'"),
        ({"epochs": 0}, "epochs must be >= 1, got 0"),
        ({"batch_size": 1}, "batch_size must be >= 2, got 1"),
        ({"lr_g": 0.0}, "lr_g must be > 0.0, got 0.0"),
        ({"betas": (0.5, 1.0)}, "betas item 1 must be >= 0.0 and < 1.0"),
        ({"real_label": 0.3}, "real_label must be"),
        ({"g_loss": "wasserstein"}, "g_loss must be one of 'non-saturating', 'minimax'"),
        ({"pixel_range": "[0, 255]"}, "pixel_range must be one of '[-1, 1]', '[0, 1]'"),
        ({"d_dropout": 1.0}, "d_dropout must be >= 0.0 and < 1.0, got 1.0"),
        ({"ema_decay": 1.0}, "ema_decay must be >= 0.0 and < 1.0, got 1.0"),
        ({"ema_decay": -0.1}, "ema_decay must be >= 0.0 and < 1.0, got -0.1"),
        ({"g_hidden": ()}, "g_hidden must have at least one item"),
        ({"g_hidden": (32, 0)}, "g_hidden item 1 must be >= 1"),
        ({"seed": -1}, "seed must be >= 0, got -1"),
        ({"seed": 1.5}, "seed must be an int, got 1.5"),
        ({"resume": True}, "resume=True needs a checkpoint path"),
    ],
)
def test_invalid_config_is_rejected(changes: dict, match: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"invalid GANConfig: {match}")):
        GANConfig(**changes)


def test_config_is_frozen_and_lists_become_tuples() -> None:
    config = GANConfig(g_hidden=[32, 16], betas=[0.5, 0.9])
    assert config.g_hidden == (32, 16) and config.betas == (0.5, 0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3  # type: ignore[misc]


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_models_shapes_and_logits(arch: str) -> None:
    torch.manual_seed(0)
    generator, discriminator = gan.build_models(GANConfig(arch=arch, width=8))
    x = generator(torch.randn(5, 100))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    logits = discriminator(x)
    assert logits.shape == (5,)
    assert not any(isinstance(m, torch.nn.Sigmoid) for m in discriminator.modules())


def test_original_architecture_is_the_default() -> None:
    generator, discriminator = gan.build_models(GANConfig())
    g = [
        (m.in_features, m.out_features)
        for m in generator.modules()
        if isinstance(m, torch.nn.Linear)
    ]
    d = [
        (m.in_features, m.out_features)
        for m in discriminator.modules()
        if isinstance(m, torch.nn.Linear)
    ]
    assert g == [(100, 128), (128, 256), (256, 512), (512, 784)]
    assert d == [(784, 512), (512, 256), (256, 1)]


def test_pixel_ranges() -> None:
    images = torch.tensor([[[0] * 28] * 27 + [[255] * 28]], dtype=torch.uint8)
    assert gan.to_model_range(images).aminmax() == (-1.0, 1.0)
    assert gan.to_model_range(images, "[0, 1]").aminmax() == (0.0, 1.0)


def test_training_is_deterministic_and_records_history() -> None:
    config = GANConfig(epochs=2, **TINY)
    a, b = gan.train(config, _images()), gan.train(config, _images())
    assert a.loss_d == b.loss_d and a.d_fake == b.d_fake
    assert len(a.loss_d) == len(a.loss_g) == len(a.d_real) == 2 * a.steps_per_epoch == 8
    assert len(a.epoch_samples) == 2 and a.epoch_samples[0].shape == (4, 1, 28, 28)
    assert all(0 < p < 1 for p in a.d_real + a.d_fake)
    assert gan.sample(a.generator, 7, seed=3).shape == (7, 1, 28, 28)
    assert torch.equal(gan.sample(a.generator, 3, seed=3), gan.sample(b.generator, 3, seed=3))


def test_train_epoch_is_the_loop_train_runs() -> None:
    config = GANConfig(epochs=2, **TINY)
    images = _images(70)  # 70 // 16 = 4 full batches; the last 6 images are left out
    library = gan.train(config, images)
    torch.manual_seed(config.seed)
    generator, discriminator = gan.build_models(config)
    opts = [torch.optim.Adam(m.parameters(), lr=2e-4, betas=config.betas, fused=True)
            for m in (generator, discriminator)]  # fmt: skip
    noise = torch.Generator().manual_seed(config.seed * 1000)
    data = gan.to_model_range(images)
    logs = []
    for epoch in range(config.epochs):
        order = torch.randperm(len(data), generator=torch.Generator().manual_seed(epoch))
        logs.append(gan.train_epoch(generator, discriminator, *opts, data[order], config, noise))
    assert [log.shape for log in logs] == [(4, 4), (4, 4)]
    assert torch.cat(logs)[:, 0].tolist() == library.loss_d
    for p, q in zip(generator.parameters(), library.generator.parameters(), strict=True):
        assert torch.equal(p, q)


def test_without_gradient_sync_does_nothing_for_one_process() -> None:
    with gan.without_gradient_sync(torch.nn.Linear(2, 1)) as inside:
        assert inside is None


def test_minimax_loss_and_dcgan_train() -> None:
    result = gan.train(GANConfig(epochs=1, g_loss="minimax", **TINY), _images())
    assert all(v <= 0 for v in result.loss_g)  # log(1 - D) is never positive
    result = gan.train(
        GANConfig(arch="dcgan", width=4, epochs=1, n_fixed=2, batch_size=16), _images(32)
    )
    assert len(result.loss_d) == 2


def test_bad_images_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        gan.train(GANConfig(**TINY), torch.zeros(10, 1, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="no full batch"):
        gan.train(GANConfig(**TINY), _images(8))


def test_averaged_generator_is_the_moving_average_with_its_own_batchnorm_stats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = gan.train(GANConfig(epochs=2, g_batchnorm=True, **TINY), _images())
    assert plain.averaged_generator is None and plain.final_generator is plain.generator
    after_step: list[list[torch.Tensor]] = []  # the generator's weights after every step
    step = training.adversarial_step

    def recording_step(g_net, *args, **kwargs):
        out = step(g_net, *args, **kwargs)
        after_step.append([p.detach().clone() for p in g_net.parameters()])
        return out

    monkeypatch.setattr(training, "adversarial_step", recording_step)
    decay = 0.9
    result = gan.train(GANConfig(epochs=2, g_batchnorm=True, ema_decay=decay, **TINY), _images())
    assert result.loss_d == plain.loss_d  # averaging only watches the training
    averaged = result.averaged_generator
    assert averaged is not None and result.final_generator is averaged and not averaged.training
    # theta_avg = theta_1, then theta_avg <- decay * theta_avg + (1 - decay) * theta_t
    expected = after_step[0]
    for weights in after_step[1:]:
        expected = [decay * a + (1 - decay) * w for a, w in zip(expected, weights, strict=True)]
    for got, want in zip(averaged.parameters(), expected, strict=True):
        torch.testing.assert_close(got, want)
    # its batch-norm statistics describe its own first layer's outputs, not the live generator's
    z = torch.randn(10_000, 100, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        hidden = averaged.net[0](z)
    bn = averaged.net[1]
    torch.testing.assert_close(bn.running_mean, hidden.mean(0), atol=0.02, rtol=0.02)
    torch.testing.assert_close(bn.running_var, hidden.var(0), atol=0.02, rtol=0.05)
    assert not torch.allclose(bn.running_mean, result.generator.net[1].running_mean, atol=0.02)


def test_resume_continues_exactly(tmp_path: Path) -> None:
    ckpt = tmp_path / "gan.pt"
    straight = gan.train(GANConfig(epochs=3, ema_decay=0.9, **TINY), _images())
    gan.train(GANConfig(epochs=1, checkpoint=str(ckpt), ema_decay=0.9, **TINY), _images())
    resumed = gan.train(
        GANConfig(epochs=3, checkpoint=str(ckpt), resume=True, ema_decay=0.9, **TINY), _images()
    )
    assert resumed.loss_d == pytest.approx(straight.loss_d)
    assert len(resumed.epoch_samples) == 3
    for p, q in zip(resumed.generator.parameters(), straight.generator.parameters(), strict=True):
        torch.testing.assert_close(p, q)
    for p, q in zip(
        resumed.final_generator.parameters(), straight.final_generator.parameters(), strict=True
    ):
        torch.testing.assert_close(p, q)
    state = torch.load(ckpt, weights_only=True)
    assert state["epoch"] == 3
    with pytest.raises(ValueError, match=r"different config: \['lr_d'\]"):
        gan.train(
            GANConfig(
                epochs=4, checkpoint=str(ckpt), resume=True, lr_d=1e-3, ema_decay=0.9, **TINY
            ),
            _images(),
        )
    ckpt.write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"not a checkpoint written by dlcourse\.gan"):
        gan.train(
            GANConfig(epochs=4, checkpoint=str(ckpt), resume=True, ema_decay=0.9, **TINY), _images()
        )


def test_frechet_distance_matches_closed_form() -> None:
    g = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 3, generator=g, dtype=torch.float64)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # N(0, I) vs N(mu, 4 I): |mu|^2 + sum (1 + 4 - 2 * 2) = |mu|^2 + 3
    b = 2 * torch.randn(20000, 3, generator=g, dtype=torch.float64) + torch.tensor([1.0, 0, 0])
    assert frechet_distance(a, b) == pytest.approx(1.0 + 3.0, rel=0.05)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-6)
    with pytest.raises(ValueError, match="feature sets"):
        frechet_distance(a, b[:, :2])


def test_quality_report_counts_and_entropy() -> None:
    torch.manual_seed(0)
    model = gan.DigitClassifier().eval()
    x = gan.to_model_range(_images(50))
    report = gan.measure_quality(model, x, gan.classifier_features(model, x))
    assert sum(report.counts) == 50 and len(report.counts) == 10
    assert 0 <= report.entropy <= math.log(10) + 1e-9
    assert report.frechet == pytest.approx(0.0, abs=1e-6)


def test_cli_trains_from_a_data_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .test_gan_ddp import _fake_mnist

    _fake_mnist(tmp_path, n=64)
    result = cli.main(
        ["--data-root", str(tmp_path), "--epochs", "1", "--batch-size", "16", "--g-hidden", "16",
         "--d-hidden", "16", "--limit", "48", "--no-progress", "--checkpoint", str(tmp_path / "c.pt")]
    )  # fmt: skip
    assert result.steps_per_epoch == 3 and (tmp_path / "c.pt").is_file()
    assert "1 epochs, 3 steps" in capsys.readouterr().out


def test_plots_return_labelled_figures(tmp_path: Path) -> None:
    result = gan.train(GANConfig(epochs=2, **TINY), _images())
    figures = [
        plots.plot_samples(_images(10), ncol=5, title="t"),
        plots.plot_real_vs_fake({"real": _images(8), "fake": result.epoch_samples[-1]}),
        plots.plot_samples_filmstrip(result.epoch_samples, n=4),
        plots.plot_losses({"a": result}, window=2),
        plots.plot_d_outputs({"a": result}, window=2),
        plots.plot_pixel_ranges({"x": torch.rand(100)}),
        plots.plot_digit_counts({"x": [1] * 10}),
    ]
    for fig in figures:
        assert isinstance(fig, Figure) and fig.get_label()
        plt.close(fig)
    assert plots.image_grid(_images(3), ncol=2).shape == (2 * 30 + 2, 2 * 30 + 2)
    gif = plots.save_samples_gif(result.epoch_samples, tmp_path / "a.gif", ncol=2)
    assert gif.read_bytes()[:6] == b"GIF89a"


# --- measured quality on real MNIST (the page uses seed 0; these seeds are not on it) ---------

DATA = Path(os.environ.get("DLCOURSE_DATA") or ROOT.parent / "shared" / "data")


@pytest.fixture(scope="module")
def mnist_setup():
    from dlcourse.data import MNISTDataError, load_mnist, random_split

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load_mnist(DATA)
    except MNISTDataError as exc:
        pytest.skip(f"no MNIST at {DATA}: {exc}")
    gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)
    classifier = gan.train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
    reference = gan.classifier_features(classifier, held_a.images)
    floor = gan.measure_quality(classifier, held_b.images, reference)
    return gan_set, classifier, reference, floor


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_off_the_page("gan.md", [1]))
def test_trained_gan_meets_the_chapter_target(mnist_setup, seed: int) -> None:
    gan_set, classifier, reference, floor = mnist_setup
    torch.manual_seed(seed)
    untrained = gan.measure_quality(
        classifier, gan.sample(gan.build_models(GANConfig())[0], 2500, seed=seed), reference
    )
    result = gan.train(gan.improved(seed=seed), gan_set.images)
    trained = gan.measure_quality(
        classifier, gan.sample(result.final_generator, 2500, seed=seed), reference
    )
    assert trained.digits_covered == 10, trained.counts
    assert trained.entropy >= 2.2, trained.counts  # the chapter's target; ln 10 = 2.30
    assert trained.frechet < untrained.frechet / 10, (trained.frechet, untrained.frechet)
    assert trained.frechet <= 3 * floor.frechet, (trained.frechet, floor.frechet)  # the target
