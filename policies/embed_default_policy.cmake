# Writes policies/default.yaml into a C++ source file as a byte array, so `meshward serve`
# without --config runs the exact policy that ships in the repository.
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUTPUT}
  "// Generated from policies/default.yaml by policies/embed_default_policy.cmake.\n"
  "#include <string_view>\n"
  "namespace meshward::policies {\n"
  "namespace { const char kDefaultPolicyBytes[] = {${bytes} 0x00}; }\n"
  "std::string_view builtInDefaultPolicy() { return {kDefaultPolicyBytes, sizeof(kDefaultPolicyBytes) - 1}; }\n"
  "}  // namespace meshward::policies\n")
