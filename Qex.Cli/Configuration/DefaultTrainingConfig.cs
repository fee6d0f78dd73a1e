namespace Qex.Cli.Configuration;

/// <summary>The built-in training configuration: every key a config file may set, with its default.</summary>
public static class DefaultTrainingConfig
{
    /// <summary>The default YAML (also printed by <c>qex train --print-default-config</c>).</summary>
    public const string Yaml = """
        # Qex 1D training configuration. Every key is optional; these are the defaults, each with its type.
        kind: 1d                      # 1d | molecular: molecular configs have other keys (qex train --print-default-config --set kind=molecular)
        model:
          functional: ksr-global      # name: lda | ksr-global | ksr-lda | ksr-gga | qnn-global | mlp-global | qnn-local | qnn-window | rydberg-local | rydberg-window
          seed: 0                     # integer: initialisation seed
          init: null                  # path or null: start from a checkpoint file, or a folder of published KSR .npy parameters
          quantum:                    # circuit of the qnn-* models (input_scale also applies to mlp-global; rydberg-*: qubits = atoms, layers = pulse segments)
            qubits: null              # integer 1..20 or null: the model's default (qnn-global 6, qnn-local 4, qnn-window 6, rydberg-local 2, rydberg-window 3)
            layers: null              # integer >= 0 or null: the model's default (qnn-global 8, qnn-local 4, qnn-window 4, rydberg-* 2)
            rotations: rz,rx,rz       # comma list of rx|ry|rz: per qubit and layer (the released code of the paper: rx,ry,rx)
            entangler: brick-wall     # name: brick-wall | ring | linear
            feature_map: direct       # name: direct | chebyshev | fourier | tower | exponential | product | amplitude (rydberg-*: direct = density in local detunings, amplitude = in local drive amplitudes)
            input_scale: 0.5          # number != 0: density values are multiplied by this before encoding (the paper: 1/2)
            chebyshev_scale: 1.0      # number > 0: chebyshev angle acos(tanh(x / s))
            initial_angle: 0.1        # number >= 0: initial circuit angles uniform in [-a, a]
        noise:                        # how the qnn-* circuits are evaluated, in training too (noise-aware training: density-matrix derivatives, slow)
          channels: []                # list of {type, p, gamma, scope, gates}: [{type: amplitude-damping, p: 0.05, scope: gate}, {type: depolarizing-2, p: 0.01, gates: [cnot]}]
          device: null                # best | worst | null: amplitude + phase damping after every gate, from T1, T2 and the gate time
          scale: 1.0                  # number >= 0: noise scale of the device preset (multiplies the gate time)
          device_scope: gate          # gate | layer; gate: the device channels after every gate (on its qubits) | layer: after every layer (all qubits)
          readout: null               # {p01, p10} or null: {p01: 0.02, p10: 0.05}: per-qubit readout error
          shots: 0                    # integer >= 0; 0: exact expectation values
          mitigate: false             # true | false: invert the readout confusion matrix (with shots)
          seed: 0                     # integer: shot-noise and trajectory seed (fresh draws per evaluation)
          trajectories: 0             # integer >= 0; > 0: simulate the channels by this many quantum trajectories per circuit, not density matrices
        data:
          root: null                  # path or null: folder with jaxdft/ and ksr_dft/ (default: ../shared/data; else the built-in exact H2 set)
          train:                      # list of {dataset, split: train|validation|test|all} or {dataset, distances: [integer keys]}; optional density_weight: number >= 0 multiplying loss.density_weight for the entry
            - {dataset: h2, distances: [128, 384]}
          validation:                 # list (same form); early stopping: keep the checkpoint with the best validation score; [] to disable
            - {dataset: h2, distances: [32, 64, 96, 144, 168, 192, 224, 256, 288, 320, 352, 400, 432, 464, 496, 528, 560, 592]}   # 0.32-5.92 Bohr, disjoint from the test and training geometries
          test:                       # list (same form)
            - {dataset: h2, split: test}
        scf:
          iterations: 15              # integer 1..10000: Kohn-Sham iterations
          mixing: 0.5                 # number in (0, 1]: alpha_0
          mixing_decay: 0.9           # number in (0, 1]: alpha_(k+1) = decay * alpha_k
          symmetry: true              # true | false: reflection about the molecule centre
          temperature: 0.0            # number >= 0: Fermi-Dirac smearing (Hartree); 0 = integer aufbau
          interaction: exponential    # name: exponential | soft-coulomb
          spin_polarised: false       # true | false: spin-polarised Kohn-Sham (N_up, N_down from each sample's unpaired electrons; functionals lda, ksr-lsda)
        loss:
          energy_steps: 5             # integer 1..scf.iterations: energies of the last iterations that enter the loss
          discount: 0.9               # number >= 0: weight 0.9^(K-k) of iteration k
          energy_weight: 1.0          # number >= 0
          density_weight: 1.0         # number >= 0
        optimiser:
          name: lbfgs                 # name: lbfgs | adam
          max_evaluations: 400        # integer >= 1: L-BFGS evaluations, or Adam steps, of each start
          starts: 8                   # integer 1..1000: independent initialisations, each with max_evaluations; the best-validated one is kept
          target_validation: 1.6      # number >= 0 (mHa): no further start once the validation error is at most this (0: run every start)
          history: 20                 # integer 1..1000: L-BFGS memory m
          learning_rate: 0.001        # number > 0: Adam step size
          restart_patience: 0         # integer >= 0: validations without improvement before the optimiser restarts (0: never)
          average_best: 0             # integer 0..64: at the end also score averages of the 2..k best-validated iterates (0: off)
          restart_from: best          # best | fresh; best: restart from the best-validated parameters | fresh: end the start (the next one begins)
        checkpoint_every: 10          # integer >= 0: evaluations between checkpoints
        validate_every: 5             # integer >= 0: evaluations between validations of the accepted iterate (0: the final one only)
        validation_metric: max        # max | mae: largest or mean absolute energy error over the validation set
        """;

    /// <summary>The default YAML of molecular training (<c>kind: molecular</c>).</summary>
    public const string MolecularYaml = """
        # Qex molecular training configuration (kind: molecular). Every key is optional; these are the defaults, each with its type.
        kind: molecular               # 1d | molecular
        model:
          functional: enhancement-gga # name: enhancement-lda | enhancement-gga: e_x^LDA (1 + MLP(rho^(1/3) [, s^2/(1+s^2)])) | moments-lda | moments-gga: the same MLP also reading global density moments | qnn-enhancement-lda | qnn-enhancement-gga: a circuit per point in place of the MLP
          hidden: [16, 16]            # list of two integers >= 1: hidden widths of the MLP
          quantum:                    # the circuit of the qnn-enhancement models
            qubits: 4                 # integer 1..12
            layers: 4                 # integer 0..64: RZ-RX-RZ + brick-wall CNOT layers
            input_scale: 1.0          # number != 0: features times this are the encoding angles
          seed: 0                     # integer: initialisation seed
        data:
          basis: 6-31g                # basis set name or .gbs path
          reference: fci              # fci | ccsd | ccsd(t): the reference energies and density matrices (computed on the fly; CC densities are relaxed, by finite fields), or a density functional as a teacher (b3lyp, ...: its RKS energy, density and orbitals, 75 x 302 grid)
          train:                      # list of {system, distances: [Angstrom]}; system: h2 | h4-chain | h4-square | h2-h2 | lih | h2o | FILE.xyz
            - {system: h2, distances: [0.5, 0.74, 1.0, 1.5, 2.0, 2.5, 3.0]}
          validation:                 # list (same form): the kept parameters are the best-validated ones; [] to disable
            - {system: h2, distances: [0.6, 0.9, 1.2]}
          test:                       # list (same form)
            - {system: h2, distances: [0.8, 1.3, 1.75, 2.25, 2.75]}
        grid:
          radial: 40                  # integer >= 1: Treutler-Ahlrichs radial points per atom
          spherical: 110              # integer: Lebedev points (6 .. 5810)
        scf:
          iterations: 20              # integer 1..10000: cycles of the unrolled SCF
          smearing: 0.04              # number > 0: Fermi-Dirac temperature (Hartree; QEX uses 0.04)
          mixing: 0.5                 # number in (0, 1]: linear density mixing
          mixing_decay: 1.0           # number in (0, 1]: alpha_(k+1) = decay * alpha_k
          differentiation: unrolled   # unrolled | implicit: through the cycles (trajectory loss), or at the converged fixed point
          fixed_point_tolerance: 1.0e-9   # number in (0, 1): implicit mode: max |P_out - P_in| at convergence
          max_fixed_point_cycles: 400 # integer >= 1: implicit mode: cycles allowed to converge (else the evaluation is rejected)
        loss:
          energy_steps: 5             # integer >= 1: energies of the last cycles in the loss (implicit: the fixed point only)
          discount: 0.9               # number >= 0: weight 0.9^(K-k) of cycle k
          energy_weight: 1.0          # number >= 0
          density_weight: 1.0         # number >= 0: weight of sum_g w_g (rho - rho_ref)^2
          gradient_weight: 0.0        # number >= 0: DI-loss ||g_S(P*)||^2, the student's orbital gradient at the teacher's density (data.reference a functional)
          hessian_weight: 0.0         # number >= 0: DI-loss mean_v ||H_S v - H_T v||^2, orbital-Hessian products at the teacher's orbitals
          hessian_directions: 4       # integer 1..1000: random unit tangent directions v per training molecule (fixed by model.seed)
        optimiser:
          name: lbfgs                 # name: lbfgs | adam
          max_evaluations: 200        # integer >= 1: L-BFGS evaluations, or Adam steps, of each start
          starts: 1                   # integer 1..1000: independent initialisations; the best-validated one is kept
          target_validation: 0        # number >= 0 (mHa): no further start once the validation max error is at most this
          history: 20                 # integer 1..1000: L-BFGS memory m
          learning_rate: 0.001        # number > 0: Adam step size
        checkpoint_every: 5           # integer >= 0: evaluations between checkpoints
        validate_every: 5             # integer >= 0: evaluations between validations
        """;
}
