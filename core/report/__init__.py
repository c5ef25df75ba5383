"""The shop report: one self-contained HTML file a stakeholder can open anywhere, built from every
family's service, in the reader's language."""
