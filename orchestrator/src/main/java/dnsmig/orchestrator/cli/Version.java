package dnsmig.orchestrator.cli;

import picocli.CommandLine.IVersionProvider;

final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"dnsmig " + (v == null ? "(development build)" : v), "Java " + Runtime.version()};
    }
}
