package io.ingressgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class IngressGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngressGatewayApplication.class, args);
    }
}
