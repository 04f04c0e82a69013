import ArgumentParser
import Spec

/// `devopsdefender schema`
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the fleet spec's JSON Schema (draft 2020-12) for editors.",
        discussion: """
            Point yaml-language-server (VS Code's YAML extension, Neovim, …) at it for completion \
            and inline errors while editing fleet.yaml:

              devopsdefender schema > fleet.schema.json
              # then, first line of fleet.yaml:
              # yaml-language-server: $schema=./fleet.schema.json

            The schema checks structure only; `devopsdefender validate` also checks references, \
            inheritance, hostnames and derived names.
            """
    )

    func run() throws {
        Terminal.standardOutput.write(JSONSchemaExporter.fleetSchema().prettyJSON())
    }
}
