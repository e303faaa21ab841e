"""The arXiv category taxonomy, so a typo in the config fails at start-up, not as an empty digest."""

from __future__ import annotations

_CS = {
    "AI": "Artificial Intelligence", "AR": "Hardware Architecture", "CC": "Computational Complexity",
    "CE": "Computational Engineering, Finance, and Science", "CG": "Computational Geometry",
    "CL": "Computation and Language", "CR": "Cryptography and Security",
    "CV": "Computer Vision", "CY": "Computers and Society", "DB": "Databases",
    "DC": "Distributed, Parallel, and Cluster Computing", "DL": "Digital Libraries",
    "DM": "Discrete Mathematics", "DS": "Data Structures and Algorithms",
    "ET": "Emerging Technologies", "FL": "Formal Languages and Automata Theory",
    "GL": "General Literature", "GR": "Graphics", "GT": "Computer Science and Game Theory",
    "HC": "Human-Computer Interaction", "IR": "Information Retrieval", "IT": "Information Theory",
    "LG": "Machine Learning", "LO": "Logic in Computer Science", "MA": "Multiagent Systems",
    "MM": "Multimedia", "MS": "Mathematical Software", "NA": "Numerical Analysis",
    "NE": "Neural and Evolutionary Computing", "NI": "Networking and Internet Architecture",
    "OH": "Other Computer Science", "OS": "Operating Systems", "PF": "Performance",
    "PL": "Programming Languages", "RO": "Robotics", "SC": "Symbolic Computation",
    "SD": "Sound", "SE": "Software Engineering", "SI": "Social and Information Networks",
    "SY": "Systems and Control",
}
_STAT = {
    "AP": "Applications", "CO": "Computation", "ME": "Methodology", "ML": "Machine Learning",
    "OT": "Other Statistics", "TH": "Statistics Theory",
}
_EESS = {
    "AS": "Audio and Speech Processing", "IV": "Image and Video Processing",
    "SP": "Signal Processing", "SY": "Systems and Control",
}
_MATH = "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST".split()
_PHYSICS = (
    "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
    "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph"
).split()
_OTHERS = {
    "astro-ph": "CO EP GA HE IM SR", "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "nlin": "AO CD CG PS SI", "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR", "econ": "EM GN TH",
}
_STANDALONE = "astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nucl-ex nucl-th quant-ph".split()


def _build() -> dict[str, str]:
    names: dict[str, str] = {f"cs.{k}": v for k, v in _CS.items()}
    names.update({f"stat.{k}": v for k, v in _STAT.items()})
    names.update({f"eess.{k}": v for k, v in _EESS.items()})
    names.update({f"math.{k}": f"math.{k}" for k in _MATH})
    names.update({f"physics.{k}": f"physics.{k}" for k in _PHYSICS})
    for archive, subjects in _OTHERS.items():
        names.update({f"{archive}.{s}": f"{archive}.{s}" for s in subjects.split()})
    names.update({k: k for k in _STANDALONE})
    return names


CATEGORY_NAMES = _build()


def is_known(category: str) -> bool:
    return category in CATEGORY_NAMES


def display_name(category: str) -> str:
    return CATEGORY_NAMES.get(category, category)
