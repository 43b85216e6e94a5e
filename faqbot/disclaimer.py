"""The disclaimer every front end shows. A module of its own so that showing it imports nothing."""

DISCLAIMER = (
    "Reference information, not billing advice: confirm with the current CPT/HCPCS code sets, NCCI edits, "
    "your Medicare contractor and the payer. CPT is a registered trademark of the American Medical Association."
)
