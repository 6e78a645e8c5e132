"""Generative adversarial networks on MNIST: models, training, and measured sample quality.

A generator ``G`` maps noise ``z ~ N(0, I)`` to images; a discriminator ``D`` outputs a logit,
the log-odds that its input is real. They play (Goodfellow et al., 2014)

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))].

* :mod:`dlcourse.gan.config`: :class:`GANConfig`, every setting of a run, and
  :func:`improved`, the chapter's model;
* :mod:`dlcourse.gan.models`: the MLP and DCGAN generators and discriminators,
  :func:`build_models`, :func:`to_model_range`;
* :mod:`dlcourse.gan.step`: the two losses on logits and :func:`adversarial_step`;
* :mod:`dlcourse.gan.training`: :func:`train_epoch` (the loop over one epoch's batches) and
  :func:`train` (one device or ``torchrun``, an optional moving average of G's weights,
  checkpoints), :class:`GANResult`, :func:`sample`;
* :mod:`dlcourse.gan.quality`: a digit classifier, :func:`frechet_distance` in its features,
  :func:`measure_quality`;
* :mod:`dlcourse.gan.cli`: the command line, ``python -m dlcourse.gan --help`` (not imported
  here: importing the package does not load it).
"""

from dlcourse.gan.config import GANConfig, improved
from dlcourse.gan.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    MLPGenerator,
    build_models,
    to_model_range,
)
from dlcourse.gan.quality import (
    DigitClassifier,
    QualityReport,
    accuracy,
    classifier_features,
    frechet_distance,
    measure_quality,
    train_evaluator,
)
from dlcourse.gan.step import (
    adversarial_step,
    discriminator_loss,
    generator_loss,
    without_gradient_sync,
)
from dlcourse.gan.training import CHECKPOINT_FORMAT, GANResult, sample, train, train_epoch

__all__ = [
    "CHECKPOINT_FORMAT",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "DigitClassifier",
    "GANConfig",
    "GANResult",
    "MLPDiscriminator",
    "MLPGenerator",
    "QualityReport",
    "accuracy",
    "adversarial_step",
    "build_models",
    "classifier_features",
    "discriminator_loss",
    "frechet_distance",
    "generator_loss",
    "improved",
    "measure_quality",
    "sample",
    "to_model_range",
    "train",
    "train_epoch",
    "train_evaluator",
    "without_gradient_sync",
]
