"""Fixed wording every front end shows (the disclaimer, headings). A module of its own so that showing
it imports nothing."""

DISCLAIMER = (
    "Reference information, not billing advice: confirm with the current CPT/HCPCS code sets, NCCI edits, "
    "your Medicare contractor and the payer. CPT is a registered trademark of the American Medical Association."
)

# Above the other questions a long post asks (``Answer.also_asked``).
ALSO_ASKED_HEADING = "Your post also asks (ask each on its own for its answer):"
