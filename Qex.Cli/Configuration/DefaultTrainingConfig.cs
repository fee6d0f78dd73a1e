namespace Qex.Cli.Configuration;

/// <summary>The built-in training configuration: every key a config file may set, with its default.</summary>
public static class DefaultTrainingConfig
{
    /// <summary>The default YAML (also printed by <c>qex train --print-default-config</c>).</summary>
    public const string Yaml = """
        # Qex 1D training configuration. Every key is optional; these are the defaults.
        model:
          functional: ksr-global      # lda | ksr-global | ksr-lda | ksr-gga | qnn-global | mlp-global | qnn-local | qnn-window
          seed: 0                     # initialisation seed
          init: null                  # start from a checkpoint file, or a folder of published KSR .npy parameters
          quantum:                    # circuit of the qnn-* models (input_scale also applies to mlp-global)
            qubits: null              # null: the model's default (qnn-global 6, qnn-local 4, qnn-window 6)
            layers: null              # null: the model's default (qnn-global 8, qnn-local 4, qnn-window 4)
            rotations: rz,rx,rz       # per qubit and layer (the released code of the paper: rx,ry,rx)
            entangler: brick-wall     # brick-wall | ring | linear
            feature_map: direct       # direct | chebyshev | fourier | tower | exponential | product
            input_scale: 0.5          # density values are multiplied by this before encoding (the paper: 1/2)
            chebyshev_scale: 1.0      # chebyshev angle acos(tanh(x / s))
            initial_angle: 0.1        # initial circuit angles uniform in [-a, a]
        noise:                        # how the qnn-* circuits are evaluated; training needs exact circuits (no noise)
          channels: []                # [{type: amplitude-damping, p: 0.05, scope: gate}, {type: depolarizing-2, p: 0.01, gates: [cnot]}]
          device: null                # best | worst: amplitude + phase damping after every gate, from T1, T2 and the gate time
          scale: 1.0                  # noise scale of the device preset (multiplies the gate time)
          device_scope: gate          # gate: the device channels after every gate (on its qubits) | layer: after every layer (all qubits)
          readout: null               # {p01: 0.02, p10: 0.05}: per-qubit readout error
          shots: 0                    # 0: exact expectation values
          mitigate: false             # invert the readout confusion matrix (with shots)
          seed: 0                     # shot-noise and trajectory seed (fresh draws per evaluation)
          trajectories: 0             # > 0: simulate the channels by this many quantum trajectories per circuit, not density matrices
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
          restart_patience: 0         # validations without improvement before the optimiser restarts (0: never)
          restart_from: best          # best: from the best-validated parameters | fresh: from a new initialisation
        checkpoint_every: 10          # evaluations between checkpoints
        validate_every: 5             # evaluations between validation scores
        validation_metric: max        # max | mae: largest or mean absolute energy error over the validation set
        """;
}
