"""Industrial-chain maps (产业链图谱): segment metrics, weak links (短板), the firm network and the
firm-level systemic-risk cascade (Diem et al. 2022, ESRI) with shock scenarios."""
