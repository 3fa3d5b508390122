package io.axiom.cluster.node;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterMembersTest
{
    @Test
    void parsesTheShortForm()
    {
        final ClusterMembers members = ClusterMembers.parse("0,alpha:9000|1,beta:9010|2,gamma:9020");

        assertEquals(3, members.size());
        assertEquals(
            "0,alpha:9000,alpha:9001,alpha:9002,alpha:9003,alpha:9004|" +
            "1,beta:9010,beta:9011,beta:9012,beta:9013,beta:9014|" +
            "2,gamma:9020,gamma:9021,gamma:9022,gamma:9023,gamma:9024",
            members.aeronMembers());
        assertEquals("0=alpha:9000,1=beta:9010,2=gamma:9020", members.ingressEndpoints());
        assertEquals("beta:9014", members.archiveEndpoint(1));
        assertEquals("gamma", members.member(2).host());
    }

    @Test
    void parsesAeronsFullFormUnchanged()
    {
        final String full = "0,h0:1,h0:2,h0:3,h0:4,h0:5|1,h1:11,h1:12,h1:13,h1:14,h1:15";
        final ClusterMembers members = ClusterMembers.parse(full);

        assertEquals(full, members.aeronMembers());
        assertEquals("0=h0:1,1=h1:11", members.ingressEndpoints());
        assertEquals("h1:15", members.archiveEndpoint(1));
        assertEquals(full, ClusterMembers.parse(members.aeronMembers()).aeronMembers());
    }

    @Test
    void acceptsIpv6InBrackets()
    {
        final ClusterMembers members = ClusterMembers.parse("7,[::1]:9000");

        assertEquals("[::1]:9004", members.archiveEndpoint(7));
        assertEquals("[::1]", members.member(7).host());
    }

    @Test
    void buildsLocalMembers()
    {
        final ClusterMembers members = ClusterMembers.local(3, 20000);

        assertEquals("0=localhost:20000,1=localhost:20010,2=localhost:20020", members.ingressEndpoints());
        assertEquals("localhost:20024", members.archiveEndpoint(2));
        assertTrue(members.contains(2));
        assertFalse(members.contains(3));
    }

    @Test
    void rejectsWhatIsWrongByName()
    {
        assertMessage("empty", "");
        assertMessage("empty", "  ");
        assertMessage("member id 1 is listed twice", "0,a:1000|1,b:1000|1,c:1000");
        assertMessage("member id \"x\" is not a non-negative integer", "x,a:1000");
        assertMessage("member id \"-1\" is not a non-negative integer", "-1,a:1000");
        assertMessage("has 3 fields", "0,a:1000,a:1001");
        assertMessage("port \"0\"", "0,a:0");
        assertMessage("port \"70000\"", "0,a:70000");
        assertMessage("port \"p\"", "0,a:p");
        assertMessage("leaves no room", "0,a:65534");
        assertMessage("is not host:port", "0,:1000");
        assertMessage("is not host:port", "0,a1000");
        assertMessage("is not host:port", "0,::1:1000");
        assertMessage("endpoint a:1003 is used twice", "0,a:1000|1,a:1003");
        assertMessage("has 1 fields", "0,a:1000|");
        assertThrows(IllegalArgumentException.class, () -> ClusterMembers.local(0, 1000));

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> ClusterMembers.local(2, 9000).member(5));
        assertTrue(ex.getMessage().contains("member id 5 is not in"), ex.getMessage());
    }

    private static void assertMessage(final String expected, final String members)
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> ClusterMembers.parse(members), members);
        assertTrue(ex.getMessage().contains(expected), "\"" + members + "\": " + ex.getMessage());
    }
}
