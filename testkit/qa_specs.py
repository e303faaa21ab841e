"""The content of the three question-answering papers of qa_papers.py: outline, planted facts, questions.

A question's `where` is the section holding its answer by number ("5.1", "B")
or a float by the section it sits in ("table@5.2"); qa_papers turns it into the
label the paper shows ("§5.1", "Appendix B", "Table 1"). "{label}" in a
question's text is replaced by that label ("What does Figure 3 show?").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .paper_docs import DocTable


@dataclass
class Plan:
    title: str
    share: float  # of the paper's filler words
    subs: list[Plan] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # sentences planted in the section's middle paragraphs
    figure: str | None = None
    table: DocTable | None = None


@dataclass
class Spec:
    arxiv_id: str
    letter: str  # for the section markers ("mkqa...")
    title: str
    abstract: str
    pages: int
    vocab: dict[str, list[str]]
    body: list[Plan]
    appendix: list[Plan]
    questions: list[tuple[str, str, str, str, tuple[str, ...]]]  # text, where, needle, kind, history
    footnote: str | None = None
    # The same facts asked in other words, written after the ranker was tuned on `questions`:
    # the bench reports them apart, as a check that the tuning did not just learn the 30 questions.
    paraphrases: list[tuple[str, str, str, str, tuple[str, ...]]] = field(default_factory=list)


def vision() -> Spec:
    vocab = {
        "task": ["novel view synthesis", "scene reconstruction", "real-time rendering", "surface reconstruction",
                 "view interpolation"],
        "component": ["the densification schedule", "the opacity regulariser", "the spherical-harmonic colour model",
                      "the rasteriser", "the pruning step", "the anchor grid", "the covariance parameterisation"],
        "prop": ["view consistency", "memory footprint", "rendering speed", "geometric accuracy",
                 "robustness to sparse views", "anti-aliasing", "training stability"],
        "dataset": ["Mip-NeRF 360", "Tanks and Temples", "Deep Blending", "LLFF", "Blender", "ScanNet++"],
        "metric": ["PSNR", "SSIM", "LPIPS"],
        "baseline": ["3DGS", "Mip-NeRF 360", "Zip-NeRF", "Instant-NGP", "Scaffold-GS", "Mip-Splatting"],
        "adj": ["sparse", "anisotropic", "hierarchical", "compact", "adaptive", "differentiable", "explicit"],
        "verb": ["improves", "stabilizes", "reduces", "sharpens", "regularizes"],
        "templates": [
            "{Baseline} renders {dataset} scenes in real time but needs many more primitives.",
            "Floaters appear mostly in background regions that are observed from few views.",
            "The number of Gaussians grows quickly during the first thousand iterations.",
            "We render all test views at the resolution used by {baseline} for a fair comparison.",
        ],
    }
    datasets = ("We evaluate on three standard benchmarks: all nine scenes of Mip-NeRF 360, the Truck and Train "
                "scenes of Tanks and Temples, and the Playroom and DrJohnson scenes of Deep Blending.")
    body = [
        Plan("Introduction", 0.07, figure="Overview of Sparse Gaussian Fields: a sparse set of anisotropic Gaussians "
             "is refined by adaptive densification and drawn by a tile-based rasteriser."),
        Plan("Related Work", 0.03, [Plan("Neural Radiance Fields", 0.06),
                                    Plan("Point-Based and Gaussian Rendering", 0.06)]),
        Plan("Preliminaries", 0.05),
        Plan("Method", 0.02, [Plan("Sparse Gaussian Parameterisation", 0.07), Plan("Adaptive Densification", 0.06),
                              Plan("Training Objective", 0.05)],
             figure="The SGF pipeline: initialisation from structure-from-motion points, densification, pruning."),
        Plan("Experiments", 0.02, [
            Plan("Datasets and Metrics", 0.04, facts=[
                datasets,
                "Deep Blending images are rendered at their original resolution of 1332 x 876 pixels, while "
                "Mip-NeRF 360 images are downsampled by a factor of four."]),
            Plan("Comparison with the State of the Art", 0.06, facts=[
                "On Tanks and Temples, SGF improves over 3DGS by 0.71 dB PSNR while storing 4.3 times fewer "
                "Gaussians."],
                table=DocTable("Comparison with the state of the art: PSNR on each benchmark.",
                               [["Method", "Mip-NeRF 360", "Tanks and Temples", "Deep Blending"],
                                ["Mip-NeRF 360", "27.69", "22.22", "29.40"], ["Instant-NGP", "25.59", "21.92", "24.96"],
                                ["3DGS", "27.21", "23.14", "29.41"], ["Scaffold-GS", "27.50", "23.96", "30.21"],
                                ["SGF (ours)", "27.94", "23.85", "30.37"]])),
            Plan("Ablation Study", 0.05, facts=[
                "Table 2 shows that every component contributes, adaptive densification most of all."],
                table=DocTable("Ablation on Tanks and Temples. Each row removes one component from the full model.",
                               [["Variant", "PSNR", "SSIM", "Gaussians (M)"], ["Full model", "23.85", "0.852", "0.41"],
                                ["w/o adaptive densification", "22.41", "0.807", "0.18"],
                                ["w/o opacity regulariser", "23.37", "0.839", "0.66"],
                                ["w/o anchor grid", "23.02", "0.828", "0.47"]])),
            Plan("Runtime and Memory", 0.04, facts=[
                "On Mip-NeRF 360, SGF renders at 208 frames per second at 1080p, 1.6 times faster than 3DGS."]),
        ]),
        Plan("Limitations and Future Work", 0.04, facts=[
            "The main failure case of SGF is specular and transparent surfaces, which it reconstructs with floaters "
            "because the sparse parameterisation cannot represent strong view-dependent effects."]),
        Plan("Conclusion", 0.02),
    ]
    appendix = [
        Plan("Derivations", 0.05),
        Plan("Implementation Details", 0.06, facts=[
            "Training one Mip-NeRF 360 scene takes 23 minutes on a single RTX 4090, including densification."],
            table=DocTable("Optimisation hyperparameters, shared by all scenes.",
                           [["Parameter", "Value"], ["Iterations", "30,000"],
                            ["Position learning rate", "1.6e-4 decayed to 1.6e-6"], ["Scaling learning rate", "5e-3"],
                            ["Opacity learning rate", "0.05"], ["Densification interval", "every 100 iterations"],
                            ["SH degree", "3"]])),
        Plan("Per-Scene Results", 0.05, table=DocTable(
            "Per-scene PSNR on Mip-NeRF 360.",
            [["Scene", "3DGS", "SGF"], ["bicycle", "25.25", "25.61"], ["garden", "27.41", "27.80"],
             ["stump", "26.55", "26.93"], ["room", "30.63", "31.02"], ["kitchen", "30.32", "30.71"]])),
        Plan("Additional Qualitative Results", 0.04),
    ]
    questions = [
        ("Which datasets do they evaluate on?", "5.1", "Truck and Train scenes of Tanks and Temples", "datasets", ()),
        ("What PSNR does the method reach on Mip-NeRF 360?", "table@5.2", "SGF (ours) | 27.94", "numbers", ()),
        ("How does it compare to 3DGS on Tanks and Temples?", "5.2", "0.71 dB PSNR", "baselines", ()),
        ("What learning rate do they use for the Gaussian positions?", "table@B", "Position learning rate | 1.6e-4",
         "hyperparameters", ()),
        ("Is the code available?", "1", "github.com/example/sparse-gaussian-fields", "code", ()),
        ("What are the main limitations of the method?", "6", "specular and transparent surfaces", "limitations", ()),
        ("How long does it take to train one scene?", "B", "23 minutes on a single RTX 4090", "appendix", ()),
        ("What resolution are the images of the last one rendered at?", "5.1", "1332 x 876", "follow-up",
         ("Which datasets do they evaluate on?",
          "Mip-NeRF 360, Tanks and Temples and Deep Blending (§5.1).")),
        ("And how fast does it render?", "5.4", "208 frames per second", "follow-up",
         ("What PSNR does the method reach on Mip-NeRF 360?", "27.94 dB on Mip-NeRF 360 (Table 1).")),
        ("What happens if adaptive densification is removed?", "table@5.3", "w/o adaptive densification | 22.41",
         "ablation", ()),
    ]
    return Spec("2603.11001", "a", "Sparse Gaussian Fields for Real-Time Novel View Synthesis",
                "Gaussian splatting renders radiance fields in real time but needs millions of primitives. We "
                "present Sparse Gaussian Fields (SGF), which represent a scene with a sparse set of anisotropic "
                "Gaussians refined by adaptive densification and an opacity regulariser. SGF matches or exceeds "
                "the image quality of 3DGS on three benchmarks while storing several times fewer Gaussians and "
                "rendering faster.", 34, vocab, body, appendix, questions,
                footnote="Code and trained models are available at https://github.com/example/sparse-gaussian-fields.",
                paraphrases=[
                    ("On which benchmarks is SGF tested?", "5.1", "Truck and Train scenes of Tanks and Temples",
                     "datasets", ()),
                    ("Where can I find the implementation?", "1", "github.com/example/sparse-gaussian-fields",
                     "code", ()),
                    ("How much GPU time does optimising a scene need?", "B", "23 minutes on a single RTX 4090",
                     "appendix", ()),
                    ("What goes wrong with shiny or glass-like objects?", "6", "specular and transparent surfaces",
                     "limitations", ()),
                    ("Does removing densification hurt PSNR?", "table@5.3", "w/o adaptive densification | 22.41",
                     "ablation", ()),
                ])


def language() -> Spec:
    vocab = {
        "task": ["long-context question answering", "multi-document summarisation", "needle retrieval",
                 "long-form reasoning", "code understanding"],
        "component": ["the memory tokens", "the compression encoder", "the rotary position scaling",
                      "the attention sink", "the chunked prefill", "the curriculum schedule"],
        "prop": ["context utilisation", "positional extrapolation", "memory efficiency", "faithfulness", "latency",
                 "length generalisation"],
        "dataset": ["RULER", "LongBench", "InfiniteBench", "NarrativeQA", "QMSum", "PG-19"],
        "metric": ["accuracy", "exact match", "ROUGE-L", "perplexity"],
        "baseline": ["YaRN", "LongLoRA", "the compressive transformer", "RAG", "Activation Beacon", "StreamingLLM"],
        "adj": ["compressed", "recurrent", "sparse", "hierarchical", "chunked", "retrieval-free"],
        "verb": ["improves", "stabilizes", "reduces", "extends", "regularizes"],
        "templates": [
            "Retrieval pipelines such as {baseline} depend heavily on the quality of the retriever.",
            "Perplexity on {dataset} is a weak proxy for downstream {prop}.",
            "The context window is filled with distractor documents in the harder settings.",
            "Larger models benefit more from {component}, though the trend is noisy.",
        ],
    }
    row = "LongMem-8B (ours) | 88.02 | 81.37"
    body = [
        Plan("Introduction", 0.07),
        Plan("Related Work", 0.02, [Plan("Long-Context Transformers", 0.05),
                                    Plan("Retrieval-Augmented Generation", 0.05), Plan("Memory Compression", 0.04)]),
        Plan("Method", 0.02, [Plan("Memory Tokens", 0.06), Plan("Compression Objective", 0.05),
                              Plan("Curriculum over Context Length", 0.04)],
             figure="LongMem compresses each chunk of the context into a few memory tokens that later chunks "
                    "attend to."),
        Plan("Experimental Setup", 0.01, [
            Plan("Models", 0.03, facts=["We fine-tune Llama-3 base models with 1B, 8B and 70B parameters, keeping the "
                                        "original tokenizer."]),
            Plan("Benchmarks", 0.03, facts=["We evaluate on RULER, LongBench v2 and InfiniteBench, and additionally "
                                            "report exact match on the NarrativeQA subset of LongBench."]),
            Plan("Baselines", 0.03, facts=["As baselines we use a BM25 retrieval-augmented pipeline with a 4k-token "
                                           "window, YaRN context extension and Activation Beacon."]),
            Plan("Training Details", 0.04, facts=["Fine-tuning uses a global batch of 128 sequences, a peak learning "
                                                  "rate of 2e-5 with cosine decay, and 1,500 warm-up steps."]),
        ]),
        Plan("Results", 0.01, [
            Plan("Main Results", 0.05, table=DocTable(
                "Main results: accuracy (%) on RULER at two context lengths, LongBench v2 and InfiniteBench.",
                [["Model", "RULER 32k", "RULER 128k", "LongBench v2", "InfiniteBench"],
                 ["Llama-3-8B + YaRN", "84.10", "62.35", "38.60", "51.22"],
                 ["Llama-3-8B + RAG", "79.44", "70.18", "41.03", "55.70"],
                 ["Activation Beacon", "85.21", "73.66", "42.48", "58.93"],
                 ["LongMem-8B (ours)", "88.02", "81.37", "47.15", "63.40"]])),
            Plan("Scaling with Context Length", 0.04,
                 figure="Accuracy on RULER as the context grows from 4k to 1M tokens."),
            Plan("Ablations", 0.04, table=DocTable(
                "Ablations of LongMem-8B on RULER 128k.",
                [["Variant", "Accuracy"], ["Full model", "81.37"], ["No curriculum", "74.02"],
                 ["No compression objective", "69.85"], ["4 memory tokens per chunk", "77.60"]])),
        ]),
        Plan("Analysis", 0.02, [Plan("What Do Memory Tokens Store?", 0.04), Plan("Failure Modes", 0.04)]),
        Plan("Limitations", 0.03, facts=["LongMem degrades on tasks that require verbatim copying of long spans, such "
                                         "as code repair, because the memory tokens store a lossy summary."]),
        Plan("Conclusion", 0.02, facts=["We release the code, the training data mixture and the LongMem-8B weights "
                                        "under the Apache 2.0 licence."]),
    ]
    appendix = [
        Plan("Prompt Templates", 0.04),
        Plan("Hyperparameters", 0.04, facts=["The 70B model was trained on 256 H100 GPUs for 9 days, the 8B model on "
                                             "32 H100 GPUs for 2 days."],
             table=DocTable("Hyperparameters of the compression encoder.",
                            [["Parameter", "Value"], ["Memory tokens per chunk", "16"], ["Chunk length", "2,048"],
                             ["Encoder layers", "4"]])),
        Plan("Human Evaluation", 0.04, facts=["Annotators were recruited through Prolific and paid 15 GBP per hour."]),
        Plan("Additional Results", 0.04, table=DocTable(
            "Results on QMSum and PG-19.", [["Model", "QMSum ROUGE-L", "PG-19 perplexity"],
                                            ["YaRN", "21.40", "8.93"], ["LongMem-8B", "23.75", "8.41"]])),
    ]
    sizes = ("What model sizes do they train?",
             "They fine-tune Llama-3 base models with 1B, 8B and 70B parameters (§4.1).")
    ruler = ("What accuracy does LongMem get on RULER at 128k tokens?", "81.37% for LongMem-8B (Table 1).")
    questions = [
        ("Which benchmarks do they evaluate on?", "4.2", "RULER, LongBench v2 and InfiniteBench", "datasets", ()),
        (sizes[0], "4.1", "1B, 8B and 70B parameters", "setup", ()),
        ("How many GPUs did the largest one need?", "B", "256 H100 GPUs for 9 days", "follow-up", sizes),
        (ruler[0], "table@5.1", row, "numbers", ()),
        ("And at 32k?", "table@5.1", row, "follow-up", ruler),
        ("Do they compare against retrieval-augmented generation?", "4.3",
         "BM25 retrieval-augmented pipeline with a 4k-token window", "baselines", ()),
        ("What batch size and learning rate are used for fine-tuning?", "4.4", "global batch of 128 sequences",
         "hyperparameters", ()),
        ("Will they release the model weights?", "8", "under the Apache 2.0 licence", "code", ()),
        ("What limitations do the authors acknowledge?", "7", "verbatim copying of long spans", "limitations", ()),
        ("How much were the human annotators paid?", "C", "paid 15 GBP per hour", "appendix", ()),
    ]
    return Spec("2603.12002", "b", "LongMem: Retrieval-Free Long-Context Reasoning with Compressed Memory Tokens",
                "Long-context language models still lose information in the middle of their window, and retrieval "
                "pipelines depend on the retriever. We present LongMem, which compresses each chunk of the context "
                "into a few memory tokens that later chunks attend to, trained with a compression objective and a "
                "curriculum over context length. LongMem improves accuracy on long-context benchmarks over context "
                "extension and retrieval baselines at a fraction of their memory.", 28, vocab, body, appendix,
                questions, paraphrases=[
                    ("What evaluation suites are used?", "4.2", "RULER, LongBench v2 and InfiniteBench",
                     "datasets", ()),
                    ("How big are the models?", "4.1", "1B, 8B and 70B parameters", "setup", ()),
                    ("Are the weights open-sourced?", "8", "under the Apache 2.0 licence", "code", ()),
                    ("What is the learning rate during fine-tuning?", "4.4", "global batch of 128 sequences",
                     "hyperparameters", ()),
                    ("What are the weaknesses of LongMem?", "7", "verbatim copying of long spans", "limitations", ()),
                ])


def robotics() -> Spec:
    vocab = {
        "task": ["in-hand rotation", "dexterous manipulation", "object reorientation", "grasp synthesis",
                 "contact-rich control"],
        "component": ["the asymmetric critic", "the proprioceptive encoder", "the tactile history",
                      "the domain randomisation", "the exploration bonus", "the action filter",
                      "the privileged observation"],
        "prop": ["sample efficiency", "sim-to-real transfer", "robustness to object mass", "policy smoothness",
                 "contact stability", "generalisation to unseen objects"],
        "dataset": ["Isaac Gym", "the YCB objects", "the MuJoCo hand suite", "DexGraspNet", "the Allegro benchmark"],
        "metric": ["success rate", "rotation speed", "time to fall", "cumulative reward"],
        "baseline": ["PPO", "SAC", "DAPG", "the teacher-student method", "HORA", "DrQ-v2"],
        "adj": ["asymmetric", "sparse-reward", "model-free", "privileged", "recurrent", "vision-based"],
        "verb": ["improves", "stabilizes", "reduces", "accelerates", "regularizes"],
        "templates": [
            "Dropped objects end an episode early, which biases the {metric} estimate.",
            "The simulated hand is actuated by position controllers at a fixed frequency.",
            "We randomise friction, mass and motor gains at the start of every episode.",
            "Policies trained with {baseline} oscillate noticeably when the object is heavy.",
            "We discount future rewards and normalise advantages per batch, as is common.",
        ],
    }
    body = [
        Plan("Introduction", 0.06, figure="A policy trained in simulation rotates objects in the real Allegro hand."),
        Plan("Related Work", 0.09),
        Plan("Problem Formulation", 0.05),
        Plan("Method", 0.02, [Plan("Asymmetric Actor-Critic", 0.06), Plan("Exploration without Reward Shaping", 0.05),
                              Plan("Domain Randomisation", 0.05)],
             figure="The actor sees proprioception only; the critic also sees privileged object state."),
        Plan("Simulation Experiments", 0.01, [
            Plan("Environments and Tasks", 0.04, facts=["All tasks are built in Isaac Gym: cube rotation, pen spinning "
                                                        "and valve turning with the 16-DoF Allegro hand."]),
            Plan("Baselines", 0.03, facts=["We compare with PPO, SAC, DAPG with 25 demonstrations, and the "
                                           "teacher-student method of Chen et al."]),
            Plan("Results", 0.05, facts=["The strongest baseline on pen spinning is DAPG, which trails our method by "
                                         "11.30 points."],
                 table=DocTable("Success rate (%) in simulation, averaged over 5 seeds.",
                                [["Method", "Cube rotation", "Pen spinning", "Valve turning"],
                                 ["PPO", "61.20", "12.45", "40.10"], ["SAC", "55.85", "9.30", "37.65"],
                                 ["DAPG", "83.10", "67.10", "79.95"], ["Teacher-student", "90.40", "58.75", "82.30"],
                                 ["Ours", "96.25", "78.40", "88.15"]])),
            Plan("Ablations", 0.04, table=DocTable(
                "Ablations on pen spinning (success rate, %).",
                [["Variant", "Success"], ["Full method", "78.40"], ["Symmetric critic", "51.65"],
                 ["No randomisation", "74.05"]])),
        ]),
        Plan("Real-World Experiments", 0.01, [
            Plan("Hardware Setup", 0.03, facts=["The real-world setup is an Allegro hand mounted on a UR5e arm and "
                                                "observed by three Intel RealSense D435 cameras."]),
            Plan("Results", 0.04, facts=["On the real hand we ran 20 trials per object for 5 objects, 100 trials in "
                                         "total."],
                 figure="Real-world success rate per object. The policy succeeds on the soft ball only 35% "
                        "of the time."),
        ]),
        Plan("Discussion and Limitations", 0.04, facts=[
            "The policy fails on objects lighter than 30 grams, whose motion is dominated by friction that the "
            "simulator does not model."]),
        Plan("Conclusion", 0.02),
    ]
    appendix = [
        Plan("Reward Definitions", 0.04, facts=["For valve turning, the sparse reward is 1 once the valve has turned "
                                                "by more than 90 degrees and 0 otherwise."]),
        Plan("Training Hyperparameters", 0.04, facts=["Each policy is trained for 5 billion environment steps, about "
                                                      "31 hours on 8 A100 GPUs."],
             table=DocTable("Training hyperparameters.",
                            [["Hyperparameter", "Value"], ["Discount factor", "0.998"], ["GAE lambda", "0.95"],
                             ["Learning rate", "5e-4, adaptive"], ["Parallel environments", "16,384"],
                             ["Horizon", "8 steps"], ["Minibatch size", "32,768"], ["Entropy coefficient", "0"]])),
        Plan("Network Architectures", 0.04),
        Plan("Sim-to-Real Details", 0.04),
        Plan("Additional Results", 0.03, table=DocTable(
            "Success rate (%) on unseen YCB objects.", [["Object", "Success"], ["mustard bottle", "71.20"],
                                                        ["tennis ball", "88.65"], ["banana", "64.35"]])),
    ]
    baselines = ("Which baselines do they compare with?",
                 "PPO, SAC, DAPG with demonstrations and a teacher-student method (§5.2).")
    robot = ("Do they test on a real robot?", "Yes: an Allegro hand on a UR5e arm, observed by three cameras (§6.1).")
    questions = [
        ("Which simulation environments and tasks are used?", "5.1", "cube rotation, pen spinning and valve turning",
         "datasets", ()),
        (baselines[0], "5.2", "DAPG with 25 demonstrations", "baselines", ()),
        ("What success rate do they achieve on pen spinning?", "table@5.3", "Ours | 96.25 | 78.40", "numbers", ()),
        ("What discount factor do they use?", "table@B", "Discount factor | 0.998", "hyperparameters", ()),
        ("How many trials did they run?", "6.2", "20 trials per object", "follow-up", robot),
        (robot[0], "6.1", "three Intel RealSense D435 cameras", "setup", ()),
        ("What does {label} show?", "figure@6.2", "succeeds on the soft ball only 35%", "figure", ()),
        ("What are the limitations?", "7", "objects lighter than 30 grams", "limitations", ()),
        ("How is the reward defined for the valve task?", "A", "turned by more than 90 degrees", "appendix", ()),
        ("Which one comes closest to their method?", "5.3", "strongest baseline on pen spinning is DAPG", "follow-up",
         baselines),
    ]
    return Spec("2603.13003", "c", "Dexterous In-Hand Rotation from Sparse Rewards with Asymmetric Critics",
                "Learning dexterous in-hand rotation usually needs carefully shaped rewards or demonstrations. We "
                "show that an asymmetric actor-critic, whose critic sees privileged object state, learns rotation "
                "from sparse rewards alone. In simulation it outperforms reinforcement learning and imitation "
                "baselines on three tasks, and the policy transfers to a real four-fingered hand without "
                "fine-tuning.", 38, vocab, body, appendix, questions, paraphrases=[
                    ("What hardware is used for the real-world experiments?", "6.1",
                     "three Intel RealSense D435 cameras", "setup", ()),
                    ("What is the value of gamma?", "table@B", "Discount factor | 0.998", "hyperparameters", ()),
                    ("Which methods are compared against?", "5.2", "DAPG with 25 demonstrations", "baselines", ()),
                    ("When does the policy fail?", "7", "objects lighter than 30 grams", "limitations", ()),
                    ("How many GPUs are used for training?", "B", "31 hours on 8 A100 GPUs", "compute", ()),
                ])
