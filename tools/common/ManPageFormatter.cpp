#include "ManPageFormatter.h"

#include <sstream>

namespace openiokit::tools {

namespace {

// Each line of `text` indented by one tab stop, as man(1) renders section bodies.
std::string indented(const std::string& text)
{
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);) {
        out += line.empty() ? "\n" : "       " + line + "\n";
    }
    return out;
}

}  // namespace

std::string ManPageFormatter::make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const
{
    std::string out;
    out += "NAME\n" + indented(page_.name) + "\n";
    out += "SYNOPSIS\n" + indented(page_.synopsis) + "\n";
    out += "DESCRIPTION\n" + indented(page_.description) + "\n";
    out += "OPTIONS\n";
    out += make_groups(app, CLI::AppFormatMode::Normal);
    out += make_positionals(app);
    out += "\nEXIT STATUS\n" + indented(page_.exitStatus) + "\n";
    out += "EXAMPLES\n" + indented(page_.examples);
    return out;
}

}  // namespace openiokit::tools
