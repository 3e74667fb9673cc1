"""Apply: carry a plan out against a simulated GKE. `world` holds nodes, Pods and address allocations;
`engine` runs each operation and writes the results into the state's per-resource status."""
