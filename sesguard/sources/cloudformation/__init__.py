"""CloudFormation and CDK: templates (JSON/YAML) and `cdk synth` cloud assemblies."""
