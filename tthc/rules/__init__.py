"""Rule sets (``parameters/rules/*.yaml``) and the policies they declare: read, validated, chosen by date."""
