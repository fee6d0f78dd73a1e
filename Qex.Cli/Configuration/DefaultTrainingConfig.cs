namespace Qex.Cli.Configuration;

/// <summary>The built-in training configuration: every key a config file may set, with its default.</summary>
public static class DefaultTrainingConfig
{
    /// <summary>The default YAML (also printed by <c>qex train --print-default-config</c>).</summary>
    public const string Yaml = """
        # Qex 1D training configuration. Every key is optional; these are the defaults.
        model:
          functional: ksr-global      # lda | ksr-global | ksr-lda | ksr-gga
          seed: 0                     # initialisation seed
          init: null                  # start from a checkpoint file, or a folder of published KSR .npy parameters
        data:
          root: null                  # folder with jaxdft/ and ksr_dft/ (default: ../shared/data; else the built-in exact H2 set)
          train:                      # any number of sets: {dataset, split: train|test|all} or {dataset, distances: [...]}
            - {dataset: h2, distances: [128, 384]}
          validation:                 # early stopping: keep the checkpoint with the best validation score; [] to disable
            - {dataset: h2, distances: [64, 96, 176, 240, 296, 440, 512, 592]}   # disjoint from the 32 H2 test geometries
          test:
            - {dataset: h2, split: test}
        scf:
          iterations: 15
          mixing: 0.5                 # alpha_0
          mixing_decay: 0.9           # alpha_(k+1) = decay * alpha_k
          symmetry: true              # reflection about the molecule centre
          temperature: 0.0            # Fermi-Dirac smearing (Hartree); 0 = integer aufbau
          interaction: exponential    # exponential | soft-coulomb
        loss:
          energy_steps: 5             # energies of the last iterations that enter the loss
          discount: 0.9
          energy_weight: 1.0
          density_weight: 1.0
        optimiser:
          name: lbfgs                 # lbfgs | adam
          max_evaluations: 400        # L-BFGS evaluations, or Adam steps
          history: 20                 # L-BFGS m
          learning_rate: 0.001        # Adam
        checkpoint_every: 10          # evaluations between checkpoints
        validate_every: 5             # evaluations between validation scores
        validation_metric: max        # max | mae: largest or mean absolute energy error over the validation set
        """;
}
