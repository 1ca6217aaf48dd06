"""What ``parameters/`` holds for grading: rule sets (chosen by date, validated), their policies, profiles."""
