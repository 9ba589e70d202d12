package dev.crossrole.server.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which task definition images are ECR's (pulled by the agent with the execution role), and their parts. */
class EcrImageTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void ecrImagesByTagDigestOrNeither() {
        EcrImage tagged = EcrImage.parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1.2");
        assertEquals("111122223333", tagged.account());
        assertEquals("eu-west-1", tagged.region());
        assertEquals("team/app", tagged.repository());
        assertEquals("v1.2", tagged.reference());
        assertEquals("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1.2", tagged.localName());

        EcrImage latest = EcrImage.parse("111122223333.dkr.ecr.us-east-1.amazonaws.com/app");
        assertEquals("latest", latest.reference());

        EcrImage pinned = EcrImage.parse("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1@" + DIGEST);
        assertEquals(DIGEST, pinned.reference(), "a digest wins over a tag, as in Docker");
        assertEquals("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:sha256-" + "ab".repeat(32),
                pinned.localName());

        assertEquals("cn-north-1", EcrImage.parse("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1").region());
        assertEquals("us-east-1", EcrImage.parse("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/app:1").region());
        assertEquals("111122223333.dkr.ecr.us-east-1.localhost:4566",
                EcrImage.parse("111122223333.dkr.ecr.us-east-1.localhost:4566/app:1").host());
    }

    @Test
    void otherRegistriesAndMalformedNamesAreNotEcrs() {
        for (String image : new String[] {null, "busybox", "docker.io/library/busybox:1",
                "public.ecr.aws/nginx/nginx:1", "11112222333.dkr.ecr.us-east-1.amazonaws.com/app:1",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/App:1",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:-bad",
                "111122223333.dkr.ecr.us-east-1.example.com/a:1",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/app@sha256:short"}) {
            assertNull(EcrImage.parse(image), image);
        }
    }
}
