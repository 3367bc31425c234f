//! Run reports: the versioned KPI schema, percentile histograms, JSON and Markdown output.
