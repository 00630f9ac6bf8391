#!/usr/bin/env bash
# Regenerates Sources/MailCanaryConfig/SampleConfiguration.swift from mailcanary.sample.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo '/// The sample configuration bundled into the binary (`mailcanary config sample` prints it; `serve`'
  echo '/// uses it when there is no ./mailcanary.yml). It is `mailcanary.sample.yml`; a test keeps'
  echo '/// the two identical (regenerate with `scripts/embed-sample.sh`).'
  echo 'public enum SampleConfiguration {'
  echo '    public static let yaml = #"""'
  cat mailcanary.sample.yml
  echo
  echo '"""#'
  echo '}'
} > Sources/MailCanaryConfig/SampleConfiguration.swift
