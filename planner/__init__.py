"""planner: a declarative, terraform-style planner for Google Kubernetes Engine.

The pipeline, one module per stage: load -> validate -> model -> diff -> order -> attribute -> render / apply -> state.
`planner.api` is the small public surface the CLI calls.
"""

__version__ = "0.1.0"
